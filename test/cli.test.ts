import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPattern, PATTERN_IDS } from '../src/patterns/index.js';
import { FAIL_AFTER_ENV } from '../src/project/transaction.js';
import { generateProject, repoRoot, runCli, tempDir } from './support/cli.js';

let work: { dir: string; cleanup: () => void };
beforeAll(() => {
  work = tempDir('byok-cli-');
});
afterAll(() => work.cleanup());

const target = (name: string) => path.join(work.dir, name);

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? entry.name === '.git'
          ? []
          : listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    )
    .sort();
}

describe('create-byok, non-interactively', () => {
  it('prints help and version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--pattern', '--provider', '--model', '--base-url', '--storage', '--rate-limit-store', '--yes', '--no-install', '--no-git', '--force', '--dry-run', '--json']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('update');
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
  });

  it.each([
    ['browser', ['--provider', 'anthropic,openai,google', '--storage', 'encrypted'], ['index.html', 'README.md']],
    ['proxy', ['--provider', 'openai'], ['package.json', 'README.md', '.env.example']],
    ['wordpress', ['--provider', 'anthropic', '--name', 'Acme Helper'], ['acme-helper.php', 'readme.txt', 'uninstall.php']],
  ])('generates the %s pattern with a manifest whose hashes match the files', async (pattern, args, expected) => {
    const dir = target(`gen-${pattern}`);
    const result = await generateProject(dir, ['--pattern', pattern, ...args]);
    const root = dir; // with --name, the directory given is the one written, a WordPress plugin's included
    const files = listFiles(root);
    for (const file of expected) expect(files).toContain(file);
    const manifest = JSON.parse(readFileSync(path.join(root, 'byok.json'), 'utf8'));
    expect(manifest.answers.pattern).toBe(pattern);
    expect(Object.keys(manifest.files).sort()).toEqual(files.filter((file) => file !== 'byok.json'));
    for (const [file, hash] of Object.entries(manifest.files)) {
      expect(createHash('sha256').update(readFileSync(path.join(root, file))).digest('hex'), file).toBe(hash);
    }
    // The resolved choices come back as a command line that repeats the run.
    expect(result.stdout).toMatch(/npx create-byok .*--pattern .*--yes/);
    // No staging directory left beside the target.
    expect(readdirSync(work.dir).filter((entry) => entry.includes('create-byok-'))).toEqual([]);
  });

  it('takes defaults with --yes and says what it chose', async () => {
    const result = await runCli(['--yes', '--no-git'], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('npx create-byok byok-app --pattern browser --provider anthropic --storage memory --no-git --yes');
    expect(existsSync(path.join(work.dir, 'byok-app', 'index.html'))).toBe(true);
  });

  it('fails at once, naming the missing flags, when there is no terminal and no --yes', async () => {
    const started = Date.now();
    const result = await runCli([target('no-tty')], { timeoutMs: 10_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--pattern');
    expect(result.stderr).toContain('--provider');
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(existsSync(target('no-tty'))).toBe(false);
  });

  it('treats CI as non-interactive even with a terminal-less run that has every flag', async () => {
    const result = await runCli([target('ci-run'), '--pattern', 'proxy', '--provider', 'groq', '--no-git'], { env: { CI: 'true' } });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(target('ci-run'), 'server.js'))).toBe(true);
  });

  it.each([
    [['--pattern', 'desktop', '--provider', 'openai'], new RegExp(`Unknown pattern "desktop". Valid patterns: ${PATTERN_IDS.join(', ')}\\.`)],
    [['--pattern', 'proxy', '--provider', 'openai,cohere'], /Unknown provider "cohere". Valid providers: anthropic, openai, google/],
    [['--pattern', 'proxy', '--provider', ''], /at least one id/],
    [['--pattern', 'proxy', '--provider', 'openai,openai'], /twice/],
    [['--pattern', 'proxy', '--provider', 'openai', '--model', 'openai'], /--model takes <provider>=<value>/],
    [['--pattern', 'proxy', '--provider', 'openai', '--model', 'openai=gpt 5'], /letters, digits/],
    [['--pattern', 'proxy', '--provider', 'openai', '--model', 'anthropic=claude-x'], /--model names anthropic, which is not among the chosen providers/],
    [['--pattern', 'proxy', '--provider', 'openai', '--base-url', 'openai=not a url'], /is not a URL/],
    [['--pattern', 'proxy', '--provider', 'openai', '--base-url', 'openai=ftp://gw.example.com'], /scheme must be http or https/],
    [['--pattern', 'proxy', '--provider', 'openai', '--base-url', 'openai=https://u:p@gw.example.com/x?y=1'], /credentials.*query string/],
    [['--pattern', 'proxy', '--provider', 'openai', '--storage', 'session'], /--storage applies to the browser pattern, not proxy/],
    [['--pattern', 'browser', '--provider', 'openai', '--storage', 'localstorage'], /Valid values: memory, session, encrypted/],
    [['--pattern', 'proxy', '--provider', 'openai', '--frobnicate'], /unknown option '--frobnicate'/],
    [['--pattern', 'proxy', '--provider', 'openai', '--name', '  '], /--name cannot be empty/],
  ])('refuses bad input %j with exit 2 and the valid values', async (args, message) => {
    const dir = target(`bad-${Math.random().toString(36).slice(2)}`);
    const result = await runCli([dir, '--no-git', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a non-empty directory, listing what is there, and leaves it untouched', async () => {
    const dir = target('non-empty');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    writeFileSync(path.join(dir, 'README.md'), 'my readme');
    const result = await runCli([dir, '--pattern', 'browser', '--provider', 'openai', '--no-git']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('notes.txt');
    expect(result.stderr).toContain('--force');
    expect(listFiles(dir)).toEqual(['README.md', 'notes.txt']);
  });

  it('with --force writes only the generated files, reports each overwrite, and deletes nothing', async () => {
    const dir = target('forced');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    writeFileSync(path.join(dir, 'README.md'), 'my readme');
    const result = await runCli([dir, '--pattern', 'browser', '--provider', 'openai', '--no-git', '--force', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.overwritten).toEqual(['README.md']);
    expect(result.stderr).toContain('overwrote README.md');
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).not.toBe('my readme');
  });

  it('counts a directory holding only .git as empty', async () => {
    const dir = target('only-git');
    mkdirSync(path.join(dir, '.git'), { recursive: true });
    const result = await runCli([dir, '--pattern', 'proxy', '--provider', 'openai', '--no-git']);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(dir, 'server.js'))).toBe(true);
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const dir = target('dry');
    const result = await runCli([dir, '--pattern', 'proxy', '--provider', 'openai,google', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dry run');
    expect(result.stdout).toMatch(/create\s+byok\.json/);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(work.dir).filter((entry) => entry.includes('create-byok-'))).toEqual([]);
  });

  it('--json prints exactly one JSON object on stdout, human output on stderr', async () => {
    const dir = target('json');
    const result = await runCli([dir, '--pattern', 'proxy', '--provider', 'anthropic,openai', '--no-git', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ directory: dir, pattern: 'proxy', providers: ['anthropic', 'openai'] });
    expect(report.files).toContain('byok.json');
    expect(report.nextSteps.length).toBeGreaterThan(0);
    expect(result.stderr).toContain('Wrote');
    expect(JSON.parse((await runCli(['--version', '--json'])).stdout)).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(JSON.parse((await runCli(['--help', '--json'])).stdout).help).toContain('--pattern');
    const failed = await runCli([target('json-bad'), '--pattern', 'nope', '--provider', 'openai', '--json']);
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout)).toMatchObject({ exitCode: 2 });
  });

  it('honours absolute and relative paths as given', async () => {
    const relative = await runCli(['nested/rel-app', '--pattern', 'proxy', '--provider', 'openai', '--no-git'], { cwd: work.dir });
    expect(relative.code).toBe(0);
    expect(existsSync(path.join(work.dir, 'nested', 'rel-app', 'server.js'))).toBe(true);
    const absolute = path.join(work.dir, 'abs', 'app');
    const result = await runCli([absolute, '--pattern', 'proxy', '--provider', 'openai', '--no-git'], { cwd: repoRoot });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(absolute, 'server.js'))).toBe(true);
  });

  it('shows what the name became and warns about slugs the plugin directory refuses', async () => {
    const result = await runCli([path.join(work.dir, 'wp'), '--pattern', 'wordpress', '--provider', 'openai', '--name', 'OpenAI Helper!', '--no-git']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('plugin slug and text domain openai-helper');
    expect(result.stderr).toContain('helper-for-openai');
    expect(existsSync(path.join(work.dir, 'wp', 'openai-helper.php'))).toBe(true);
  });

  it('initialises git with an initial commit, but not inside an existing work tree', async () => {
    const dir = target('with-git');
    const result = await runCli([dir, '--pattern', 'proxy', '--provider', 'openai'], {
      env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(execFileSync('git', ['log', '--oneline'], { cwd: dir, encoding: 'utf8' })).toContain('Initial commit from create-byok');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).toBe('');

    const inner = path.join(dir, 'inner');
    const nested = await runCli([inner, '--pattern', 'proxy', '--provider', 'openai']);
    expect(nested.code).toBe(0);
    expect(existsSync(path.join(inner, '.git'))).toBe(false);
  });

  it('refuses a target under a file with exit 2', async () => {
    const blocker = target('a-file');
    writeFileSync(blocker, 'not a directory');
    const result = await runCli([path.join(blocker, 'app'), '--pattern', 'proxy', '--provider', 'openai', '--no-git']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a file, not a directory');
  });

  it('reports a runtime failure as one line with exit 1, and the stack only with --debug', async () => {
    // A write that fails half-way (the transaction's test hook), into an existing empty directory.
    const failing = target('fails-half-way');
    mkdirSync(failing);
    const env = { [FAIL_AFTER_ENV]: '3' };
    const result = await runCli([failing, '--pattern', 'proxy', '--provider', 'openai', '--name', 'ok', '--no-git'], { env });
    expect(result.code).toBe(1);
    const errorLines = result.stderr.trim().split('\n').filter((line) => line.startsWith('error:'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/every file was put back as it was/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(failing)).toEqual([]);
    const debug = await runCli([failing, '--pattern', 'proxy', '--provider', 'openai', '--name', 'ok', '--no-git', '--debug'], { env });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
    expect(readdirSync(work.dir).filter((entry) => entry.includes('create-byok-'))).toEqual([]);
  });

  it('gives a new project directory the usual permissions, not the staging directory\'s private ones', async () => {
    const dir = target('modes');
    const result = await runCli([dir, '--pattern', 'wordpress', '--provider', 'openai', '--no-git'], { env: {} });
    expect(result.code).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o777 & ~process.umask());
  });

  it('writes a WordPress plugin into an existing directory as it is, and warns that it is not named by the slug', async () => {
    const dir = target('My Plugin Dir');
    mkdirSync(dir);
    const result = await runCli(['.', '--pattern', 'wordpress', '--provider', 'openai', '--no-git'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(dir, 'my-plugin-dir.php'))).toBe(true);
    expect(existsSync(target('my-plugin-dir'))).toBe(false);
    expect(result.stderr).toContain('folder named by their slug (my-plugin-dir)');
  });

  it('with --force, refuses before writing anything when a directory stands where a file goes', async () => {
    const dir = target('clash');
    mkdirSync(path.join(dir, 'README.md'), { recursive: true });
    writeFileSync(path.join(dir, 'server.js'), 'mine');
    writeFileSync(path.join(dir, 'src'), 'a file where a directory goes');
    const result = await runCli([dir, '--pattern', 'proxy', '--provider', 'openai', '--no-git', '--force']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('README.md is a directory where a file goes');
    expect(result.stderr).toContain('src is a file where');
    expect(listFiles(dir)).toEqual(['server.js', 'src']);
    expect(readFileSync(path.join(dir, 'server.js'), 'utf8')).toBe('mine');
  });

  it('with --force, never writes through a link that leads out of the project', async () => {
    const outside = target('outside');
    mkdirSync(outside);
    const dir = target('linked');
    mkdirSync(dir);
    symlinkSync(outside, path.join(dir, 'src'));
    const result = await runCli([dir, '--pattern', 'proxy', '--provider', 'openai', '--no-git', '--force']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('outside the project');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('with --force, commits only the generated files, not what the user had there', async () => {
    const dir = target('force-git');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'secrets.txt'), 'not for git');
    const result = await runCli([dir, '--pattern', 'proxy', '--provider', 'openai', '--force'], {
      env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    });
    expect(result.code, result.stderr).toBe(0);
    const tracked = execFileSync('git', ['ls-files'], { cwd: dir, encoding: 'utf8' }).split('\n');
    expect(tracked).toContain('server.js');
    expect(tracked).not.toContain('secrets.txt');
  });
});
