// Issue 10: the CLI as a newcomer meets it, driven as they drive it: the built CLI in a real pseudo-terminal for
// the interactive points, spawned without a terminal for the rest.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli, tempDir } from './support/cli.js';
import { KEY } from './support/terminal.js';

let work: { dir: string; cleanup: () => void };
beforeAll(() => {
  work = tempDir('byok-newcomer-');
});
afterAll(() => work.cleanup());

interface PtyResult {
  exit: number | null;
  signal: number | null;
  /** The screen without colour codes. */
  screen: string;
}

function runInPty(args: string[], steps: Array<[string, string[]]>, options: { columns?: number; env?: Record<string, string>; cwd?: string } = {}): PtyResult {
  const spec = { argv: [process.execPath, binPath, ...args], cwd: options.cwd ?? work.dir, steps, timeout: 20, columns: options.columns, env: options.env };
  const out = execFileSync('python3', [path.join(repoRoot, 'test/support/pty-run.py'), JSON.stringify(spec)], { encoding: 'utf8' });
  const result = JSON.parse(out) as PtyResult;
  return { ...result, screen: result.screen.replace(/\r\n/g, '\n') };
}

/** A package manager that never finishes (until killed), first on PATH: the install step stays on screen. */
function slowNpm(): Record<string, string> {
  const bin = path.join(work.dir, 'slow-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'npm'), '#!/bin/sh\nsleep 30\n');
  chmodSync(path.join(bin, 'npm'), 0o755);
  return { PATH: `${bin}:${process.env.PATH}` };
}

describe('Ctrl-C during the install step (issue 10, point 3)', () => {
  it('exits 130 and says what was written, what did not run, and the next steps still needed', () => {
    const result = runInPty(
      ['redis-proxy', '--pattern', 'proxy', '--provider', 'openai', '--rate-limit-store', 'redis', '--no-git'],
      [
        ['Create the project?', [KEY.enter]],
        ['Installing dependencies with npm', [KEY.ctrlC]],
      ],
      { env: slowNpm() },
    );
    expect(result.exit).toBe(130);
    expect(result.screen).toContain('Cancelled: the project is written to redis-proxy; npm install did not finish.');
    const after = result.screen.slice(result.screen.indexOf('Cancelled:'));
    expect(after).toMatch(/Next steps:\n {2}cd redis-proxy\n {2}npm install\n {2}cp \.env\.example \.env/);
    expect(result.screen).not.toMatch(/Canceled/);
    expect(existsSync(path.join(work.dir, 'redis-proxy', 'byok.json'))).toBe(true);
  });
});

describe('next steps (issue 10, point 4)', () => {
  it.each([80, 120])('print every command whole on its own line at %i columns, so copying a line gives the command', async (columns) => {
    const dir = `acme-helper-for-the-support-team-${columns}`;
    const args = [dir, '--pattern', 'wordpress', '--provider', 'openai', '--no-git'];
    const expected = JSON.parse((await runCli([...args, '--yes', '--json', '--dry-run'], { cwd: work.dir })).stdout).nextSteps as string[];
    expect(expected.some((step) => step.length > columns)).toBe(true);
    const result = runInPty(args, [['Create the project?', [KEY.enter]]], { columns });
    expect(result.exit).toBe(0);
    const lines = result.screen.split(/\r?\n/).map((line) => line.trim());
    for (const step of expected) expect(lines, `"${step}" is not one whole line`).toContain(step);
  });
});

describe('smaller things a newcomer hits (issue 10, point 4)', () => {
  const base = ['--pattern', 'proxy', '--yes', '--no-git', '--no-install', '--json'];
  const create = (args: string[], cwd = work.dir) => runCli(args, { cwd });

  it('merges repeated --provider flags in order instead of dropping the first, and refuses one named twice', async () => {
    const merged = await create(['providers-merged', '--provider', 'openai', '--provider', 'google,anthropic', ...base]);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout).providers).toEqual(['openai', 'google', 'anthropic']);
    const twice = await create(['providers-twice', '--provider', 'openai', '--provider', 'openai', ...base]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--provider names openai twice/);
  });

  it('warns when a base URL would send keys over plain http to another machine, not for loopback', async () => {
    const remote = await create(['http-remote', '--provider', 'openai', '--base-url', 'openai=http://gw.example.com/v', ...base, '--dry-run']);
    expect(remote.code).toBe(0);
    expect(remote.stderr).toMatch(/plain http: your users' OpenAI keys would cross the network unencrypted/);
    for (const url of ['http://127.0.0.1:9/openai', 'http://localhost:9', 'http://[::1]:9', 'https://gw.example.com']) {
      const local = await create(['http-local', '--provider', 'openai', '--base-url', `openai=${url}`, ...base, '--dry-run']);
      expect(local.code, url).toBe(0);
      expect(local.stderr, url).not.toMatch(/plain http/);
    }
  });

  it('refuses a base URL whose port is empty (it would silently become 80)', async () => {
    for (const url of ['http://127.0.0.1:', 'http://127.0.0.1:/openai', 'https://[::1]:']) {
      const result = await create(['empty-port', '--provider', 'openai', '--base-url', `openai=${url}`, ...base]);
      expect(result.code, url).toBe(2);
      expect(result.stderr, url).toMatch(/the port after ":" is empty/);
    }
  });

  it('says what is wrong with a directory name that is too long, in the user\'s words; one that fits is written', async () => {
    const tooLong = await create(['b'.repeat(300), '--provider', 'openai', ...base]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/the name "b{20}\.\.\." is 300 bytes long, and file systems allow 255 at most/);
    expect(tooLong.stderr).not.toMatch(/ENAMETOOLONG|mkdtemp|create-byok-/);
    // 240 characters is a valid name: the staging folder beside it must not be what makes it fail.
    const fits = await create(['c'.repeat(240), '--provider', 'openai', ...base]);
    expect(fits.code, fits.stderr).toBe(0);
  });

  it('says which folder it may not write in, without the staging folder or a raw error code', () => {
    const root = tempDir('byok-readonly-');
    try {
      chmodSync(root.dir, 0o755);
      const readOnly = path.join(root.dir, 'ro');
      mkdirSync(readOnly, { mode: 0o555 });
      chmodSync(readOnly, 0o555);
      // As root every folder is writable: run the CLI as nobody then, as a user without the permission would.
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const run = (args: string[]) =>
        spawnSync(process.execPath, [binPath, ...args, '--provider', 'openai', ...base], {
          cwd: root.dir,
          encoding: 'utf8',
          env: { ...process.env, CI: '' },
          ...asNobody,
        });
      const result = run(['ro/sub/app']);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toContain('error: Cannot create ro/sub/app: you do not have permission to write in ro. Nothing was written');
      expect(result.stderr).not.toMatch(/EACCES|mkdtemp|create-byok-|--debug/);
      expect(readdirSync(readOnly)).toEqual([]);
      // The same for writing beside files in a folder that exists (--force).
      const into = run(['ro', '--force']);
      expect(into.status, into.stderr).toBe(1);
      expect(into.stderr).toContain('error: Cannot write into ro: you do not have permission to write there, or it is read-only. Nothing was written.');
      expect(into.stderr).not.toMatch(/EACCES|mkdtemp|staging|--debug/);
    } finally {
      root.cleanup();
    }
  });

  it('uses a WordPress directory the user named as given; the slug folder only when the directory is the name', async () => {
    const named = await create(['sub/dir/x-wp', '--name', 'Foo Bar', '--provider', 'openai', '--pattern', 'wordpress', '--yes', '--no-git', '--json']);
    expect(named.code, named.stderr).toBe(0);
    const report = JSON.parse(named.stdout);
    expect(report.directory).toBe(path.join(work.dir, 'sub/dir/x-wp'));
    expect(existsSync(path.join(work.dir, 'sub/dir/x-wp/foo-bar.php'))).toBe(true);
    expect(existsSync(path.join(work.dir, 'sub/dir/foo-bar'))).toBe(false);
    expect(report.command).toContain('sub/dir/x-wp');
    expect(report.nextSteps).toContain("zip -r x-wp.zip x-wp -x 'x-wp/byok.json' 'x-wp/.*'   # or: wp dist-archive x-wp");

    const asName = await create(['plugins/Acme Helper', '--provider', 'openai', '--pattern', 'wordpress', '--yes', '--no-git', '--json']);
    expect(JSON.parse(asName.stdout).directory).toBe(path.join(work.dir, 'plugins/acme-helper'));
  });

  it('--force over a create-byok project lists only the files whose content changes, and points to update', async () => {
    expect((await create(['forced', '--provider', 'openai', ...base])).code).toBe(0);
    writeFileSync(path.join(work.dir, 'forced/README.md'), 'my notes\n');
    const forced = await create(['forced', '--provider', 'openai', ...base, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).overwritten).toEqual(['README.md']);
    expect(forced.stderr.match(/overwrote /g)).toHaveLength(1);
    expect(forced.stderr).toMatch(/already holds a create-byok project \(byok\.json\)\. To change it and keep your edits, run npx create-byok update forced instead/);
  });

  it('update without a terminal shows the changes and a count of unchanged files, and says a deleted file stays deleted', async () => {
    expect((await create(['to-update', '--provider', 'openai', ...base])).code).toBe(0);
    rmSync(path.join(work.dir, 'to-update/.env.example'));
    const result = await runCli(['update', 'to-update', '--provider', 'openai,google'], { cwd: work.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/^\s*unchanged\s/m);
    expect(result.stdout).toMatch(/^\s*\d+ files unchanged$/m);
    expect(result.stdout).toMatch(/^\s*updated\s+src\/providers\.js$/m);
    expect(result.stdout).toMatch(/^\s*skipped\s+\.env\.example {2}\(you deleted it, so it stays deleted; --restore brings it back\)$/m);
    expect(result.stdout).not.toMatch(/kept\s+\.env\.example/);
  });

  it('a folder named "-" gets a cd that enters it (cd - would go back to the previous directory)', async () => {
    const result = await create(['-', '--provider', 'openai', ...base]);
    expect(result.code, result.stderr).toBe(0);
    const [cd] = JSON.parse(result.stdout).nextSteps as string[];
    expect(cd).toBe('cd ./-');
    expect(execFileSync('sh', ['-c', `${cd} && basename "$PWD"`], { cwd: work.dir, encoding: 'utf8' }).trim()).toBe('-');
  });

  it('the summary keeps the proper noun: "a WordPress site"', () => {
    const result = runInPty(['proper-noun', '--pattern', 'wordpress', '--provider', 'openai', '--no-git'], [['Create the project?', [KEY.down, KEY.enter]]]);
    expect(result.exit).toBe(130);
    expect(result.screen).toContain('Pattern:   wordpress (a WordPress site)');
  });
});

describe('interactive answers that cannot be used are asked again (issue 10, point 2)', () => {
  const CLEAR_LINE = '\x15';
  const fresh = (name: string) => {
    const dir = path.join(work.dir, name);
    mkdirSync(dir);
    return dir;
  };

  it('asks the directory again, with the reason, for spaces only and for a file, before asking anything else', () => {
    const cwd = fresh('ask-again');
    writeFileSync(path.join(cwd, 'notes.txt'), 'a file');
    const result = runInPty(['--provider', 'openai', '--no-git'], [
      ['Project directory', ['   ', KEY.enter]],
      ['A directory name cannot be only spaces.', [CLEAR_LINE, ...'notes.txt', KEY.enter]],
      ['notes.txt cannot be used: it is a file, not a directory.', [CLEAR_LINE, ...'my-app', KEY.enter]],
      ['Where will this run?', [KEY.down, KEY.down, KEY.enter]],
      ['Where should rate limits be counted?', [KEY.enter]],
      ['Create the project?', [KEY.enter]],
    ], { cwd });
    expect(result.exit, result.screen).toBe(0);
    expect(result.screen.indexOf('it is a file, not a directory')).toBeLessThan(result.screen.indexOf('Where will this run?'));
    expect(existsSync(path.join(cwd, 'my-app', 'byok.json'))).toBe(true);
    expect(readFileSync(path.join(cwd, 'notes.txt'), 'utf8')).toBe('a file');
  });

  it('offers another folder, writing beside the files, or cancelling for a non-empty folder, before the pattern question', () => {
    const cwd = fresh('taken-choices');
    mkdirSync(path.join(cwd, 'taken'));
    writeFileSync(path.join(cwd, 'taken', 'mine.txt'), 'mine');
    const another = runInPty(['taken', '--provider', 'openai', '--no-git'], [
      ['taken is not empty (it holds mine.txt). What now?', [KEY.enter]],
      ['Project directory', [...'elsewhere', KEY.enter]],
      ['Where will this run?', [KEY.down, KEY.down, KEY.enter]],
      ['Where should rate limits be counted?', [KEY.enter]],
      ['Create the project?', [KEY.enter]],
    ], { cwd });
    expect(another.exit, another.screen).toBe(0);
    expect(another.screen).toContain('Write the project beside these files');
    expect(another.screen).not.toMatch(/--force/);
    expect(another.screen.indexOf('What now?')).toBeLessThan(another.screen.indexOf('Where will this run?'));
    expect(existsSync(path.join(cwd, 'elsewhere', 'byok.json'))).toBe(true);
    expect(readdirSync(path.join(cwd, 'taken'))).toEqual(['mine.txt']);

    const cancelled = runInPty(['taken', '--provider', 'openai', '--no-git'], [['What now?', [KEY.down, KEY.down, KEY.enter]]], { cwd });
    expect(cancelled.exit).toBe(130);
    expect(cancelled.screen).toContain('Cancelled');

    const beside = runInPty(['taken', '--pattern', 'proxy', '--provider', 'openai', '--rate-limit-store', 'memory', '--no-git', '--no-install'], [
      ['What now?', [KEY.down, KEY.enter]],
      ['Create the project?', [KEY.enter]],
    ], { cwd });
    expect(beside.exit, beside.screen).toBe(0);
    expect(beside.screen).toMatch(/^ {2}npx create-byok taken --pattern proxy .* --no-install --no-git --force --yes$/m);
    expect(readFileSync(path.join(cwd, 'taken', 'mine.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(cwd, 'taken', 'byok.json'))).toBe(true);

  });

  it('says `create-byok update` is what they want when the folder holds a byok.json', () => {
    const cwd = fresh('holds-project');
    execFileSync(process.execPath, [binPath, 'proj', '--pattern', 'proxy', '--provider', 'openai', '--yes', '--no-git', '--no-install'], { cwd, env: { ...process.env, CI: '1' } });
    const result = runInPty(['proj', '--provider', 'openai', '--no-git'], [['proj already holds a create-byok project', [KEY.down, KEY.enter]]], { cwd });
    expect(result.exit).toBe(130);
    expect(result.screen).toContain('proj already holds a create-byok project (byok.json). What now?');
    expect(result.screen).toContain('Cancel, and change it with: npx create-byok update proj');
    expect(result.screen).not.toContain('Write the project beside these files');
    expect(result.screen).toContain('Cancelled. To change the project and keep your edits: npx create-byok update proj');
  });

  it('without a terminal, still fails at once with exit 2', async () => {
    const cwd = fresh('no-terminal');
    mkdirSync(path.join(cwd, 'taken'));
    writeFileSync(path.join(cwd, 'taken', 'mine.txt'), 'mine');
    for (const dir of ['taken', '   ']) {
      const result = await runCli([dir, '--pattern', 'proxy', '--provider', 'openai', '--no-git'], { cwd });
      expect(result.code, dir).toBe(2);
    }
  });
});
