// The repository as a newcomer meets it: the README's test command is CI's, a missing rig stops the run with one
// line, the package carries its licenses and changelog, and the README's figures come from the bench.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { benchSection, readmeBenchSection } from '../bench/readme.mjs';
import { repoRoot, tempDir } from './support/cli.js';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const packageJson = JSON.parse(read('package.json'));

describe('the README test command', () => {
  const development = read('README.md').split('## Development')[1]!.split('\n## ')[0]!;
  const commands = /```sh\n([\s\S]*?)```/.exec(development)![1]!.trim().split('\n');

  it('shows two commands from a fresh clone, the CLI and the tests, and .ci/run runs exactly the second', () => {
    expect(commands).toEqual(['npm run create -- my-app', 'npm run test:all']);
    const ciCommands = read('.ci/run').split('\n').filter((line) => line && !line.startsWith('#') && !/^(set|cd) /.test(line));
    expect(ciCommands).toEqual(['npm run test:all']);
    expect(packageJson.scripts.create.split(' && ')).toEqual([
      'npm install --no-audit --no-fund --silent',
      'npm run -s build',
      'node scripts/create-from-clone.mjs',
    ]);
  });

  it('installs the rigs (Node 22 and 24 among them) before running every suite, then the Node suites on 22 and 24', () => {
    expect(read('.ci/install-rigs.sh')).toContain('bash .ci/install-node.sh $NODE_MAJORS');
    expect(packageJson.scripts['test:all'].split(' && ')).toEqual([
      'bash .ci/install-rigs.sh',
      'npm install --no-audit --no-fund',
      'npm test',
      'bash .ci/test-node.sh 22 24',
    ]);
  });
});

describe('a missing rig', () => {
  let bin: { dir: string; cleanup: () => void };
  beforeAll(() => {
    // This machine's commands, except PHP and Redis, as on a machine where they were never installed.
    bin = tempDir('byok-bin-');
    for (const dir of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin', path.dirname(process.execPath)]) {
      let entries: string[] = [];
      try {
        entries = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of entries) {
        if (/^php|^redis-server$/.test(name)) continue;
        try {
          symlinkSync(path.join(dir, name), path.join(bin.dir, name));
        } catch {
          // the first directory on PATH wins, as it would
        }
      }
    }
    mkdirSync(path.join(bin.dir, '.keep'));
  });
  afterAll(() => bin.cleanup());

  it('stops the run before any suite, with one line naming what is missing and the command that installs it', () => {
    const result = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/names.test.ts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, PATH: bin.dir, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(result.status).not.toBe(0);
    const output = `${result.stdout}\n${result.stderr}`;
    const lines = output.split('\n').filter((line) => line.trim() && !/^\s*RUN\s+v\d/.test(line));
    expect(lines).toEqual([
      'Missing test rigs: php, redis-server. Install them (Debian, root or sudo, a few minutes the first time): bash .ci/install-rigs.sh',
    ]);
    expect(output).not.toMatch(/ENOENT|passed|skipped/);
  });
});

describe('the published package', () => {
  let files: string[];
  beforeAll(() => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8' }));
    files = packed[0].files.map((file: { path: string }) => file.path);
  });

  it('holds the MIT license, the changelog and the licenses of every bundled package', () => {
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'README.md', 'dist/LICENSES.md']));
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(packageJson.license).toBe('MIT');
  });

  it("lists each bundled package with its license and its own notice, starting from what src/ imports", () => {
    const licenses = read('dist/LICENSES.md');
    const sections = licenses.split(/^## /m).slice(1);
    const names = sections.map((section) => section.split(' ')[0]);
    const imported = new Set<string>();
    for (const entry of readdirSync(path.join(repoRoot, 'src'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      for (const [, specifier] of readFileSync(path.join(entry.parentPath, entry.name), 'utf8').matchAll(/from '([^.'][^']*)'/g)) {
        if (!specifier!.startsWith('node:')) imported.add(specifier!.split('/').slice(0, specifier!.startsWith('@') ? 2 : 1).join('/'));
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    // execa is imported dynamically; clack's core and its terminal helper come along with the prompts.
    for (const name of [...imported, 'execa', '@clack/core', 'sisteransi']) expect(names).toContain(name);
    for (const section of sections) {
      expect(section).toMatch(/^License: (MIT|ISC|Apache-2\.0|BSD-[23]-Clause)$/m);
      expect(section).toMatch(/^> .*(Copyright|Permission|Apache License)/im);
    }
  });

  it('has a changelog entry for the version it is, saying what changes in generated projects', () => {
    const changelog = read('CHANGELOG.md');
    const entry = changelog.split(new RegExp(`^## ${packageJson.version.replace(/\./g, '\\.')}$`, 'm'))[1];
    expect(entry, `CHANGELOG.md has no "## ${packageJson.version}" section`).toBeDefined();
    expect(entry!.split(/^## /m)[0]).toContain('### Generated projects');
  });
});

describe("the README's start-up and package figures", () => {
  it('are what `npm run bench` last measured, rendered by the bench (never typed by hand)', () => {
    const figures = JSON.parse(read('bench/cli-startup.json'));
    expect(readmeBenchSection(read('README.md'))).toBe(benchSection(figures));
    expect(figures.package.installedPackages).toBe(1);
  });
});
