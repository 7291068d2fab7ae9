import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { binPath, repoRoot, tempDir } from './support/cli.js';
import { KEY, stripAnsi, terminal } from './support/terminal.js';

let work: { dir: string; cleanup: () => void };
beforeAll(() => {
  work = tempDir('byok-interactive-');
});
afterAll(() => work.cleanup());

describe('the interactive flow', () => {
  it('asks where it runs, which providers, the pattern option, shows a summary, and writes the project', async () => {
    const term = terminal(work.dir);
    const exit = main(['my-proxy', '--no-git'], term.io);
    await term.answer('Where will this run?', [KEY.down, KEY.down, KEY.enter]);
    await term.answer('Which providers', [KEY.space, KEY.down, KEY.space, KEY.enter]);
    await term.answer('Which one should the app offer first?', [KEY.down, KEY.enter]);
    await term.answer('Where should rate limits be counted?', [KEY.enter]);
    await term.answer('Create the project?', [KEY.enter]);
    expect(await exit).toBe(0);

    const screen = stripAnsi(term.stdout.text);
    // Situations with their hints, and the summary with the equivalent command line.
    expect(screen).toContain('A pure front-end tool with no server');
    expect(screen).toContain('A WordPress site');
    expect(screen).toContain('A server that calls the provider for its users');
    expect(screen).toContain('npx create-byok my-proxy --pattern proxy --provider openai,anthropic --rate-limit-store memory');
    expect(screen).toContain('Next steps');

    const manifest = JSON.parse(readFileSync(path.join(work.dir, 'my-proxy', 'byok.json'), 'utf8'));
    expect(manifest.answers).toMatchObject({ pattern: 'proxy', providers: ['openai', 'anthropic'], options: { rateLimitStore: 'memory' } });
  });

  it('asks for the directory when none is given', async () => {
    const term = terminal(work.dir);
    const exit = main(['--pattern', 'proxy', '--provider', 'openai', '--rate-limit-store', 'memory', '--no-git'], term.io);
    await term.answer('Project directory', [...'typed-dir', KEY.enter]);
    await term.answer('Create the project?', [KEY.enter]);
    expect(await exit).toBe(0);
    expect(existsSync(path.join(work.dir, 'typed-dir', 'byok.json'))).toBe(true);
  });

  it('asks what to do with a taken directory before any other question', async () => {
    const dir = path.join(work.dir, 'taken');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'mine.txt'), 'mine');
    const term = terminal(work.dir);
    const exit = main(['taken', '--no-git'], term.io);
    await term.answer('taken is not empty (it holds mine.txt). What now?', [KEY.down, KEY.down, KEY.enter]);
    expect(await exit).toBe(130);
    expect(stripAnsi(term.stdout.text)).not.toContain('Where will this run?');
    expect(readdirSync(dir)).toEqual(['mine.txt']);
  });

  it('only asks what the flags left open', async () => {
    const term = terminal(work.dir);
    const exit = main(['browser-app', '--pattern', 'browser', '--provider', 'google', '--no-git'], term.io);
    await term.answer('Where should the page keep the key?', [KEY.down, KEY.down, KEY.enter]);
    await term.answer('Create the project?', [KEY.enter]);
    expect(await exit).toBe(0);
    const screen = stripAnsi(term.stdout.text);
    expect(screen).not.toContain('Where will this run?');
    expect(screen).not.toContain('Which providers');
    const manifest = JSON.parse(readFileSync(path.join(work.dir, 'browser-app', 'byok.json'), 'utf8'));
    expect(manifest.answers.options).toEqual({ storage: 'encrypted' });
  });

  it.each([
    ['the first prompt', 'Where will this run?', []],
    ['the providers prompt', 'Which providers', [['Where will this run?', [KEY.enter]]]],
    ['the summary', 'Create the project?', [['Where will this run?', [KEY.enter]], ['Which providers', [KEY.space, KEY.enter]], ['Where should the page keep the key?', [KEY.enter]]]],
  ] as Array<[string, string, Array<[string, string[]]>]>)('Ctrl-C at %s: "Cancelled", exit 130, nothing written', async (_label, prompt, before) => {
    const term = terminal(work.dir);
    const name = `cancelled-${prompt.length}`;
    const exit = main([name, '--no-git'], term.io);
    for (const [text, keys] of before) await term.answer(text, keys);
    await term.answer(prompt, [KEY.ctrlC]);
    expect(await exit).toBe(130);
    expect(stripAnsi(term.stdout.text + term.stderr.text)).toContain('Cancelled');
    expect(existsSync(path.join(work.dir, name))).toBe(false);
    expect(readdirSync(work.dir).filter((entry) => entry.includes('create-byok-'))).toEqual([]);
  });

  it('answering "no" to the summary cancels with exit 130', async () => {
    const term = terminal(work.dir);
    const exit = main(['declined', '--pattern', 'proxy', '--provider', 'openai', '--rate-limit-store', 'memory', '--no-git'], term.io);
    await term.answer('Create the project?', [KEY.down, KEY.enter]);
    expect(await exit).toBe(130);
    expect(existsSync(path.join(work.dir, 'declined'))).toBe(false);
  });
});

describe('on a real terminal (pseudo-terminal), the built CLI', () => {
  const runInPty = (args: string[], steps: Array<[string, string[]]>) => {
    const spec = { argv: [process.execPath, binPath, ...args], cwd: work.dir, steps, timeout: 20 };
    const out = execFileSync('python3', [path.join(repoRoot, 'test/support/pty-run.py'), JSON.stringify(spec)], { encoding: 'utf8' });
    return JSON.parse(out) as { exit: number | null; signal: number | null; screen: string };
  };

  it('prompts, and creates the project from the answers', () => {
    const result = runInPty(['pty-app', '--no-git'], [
      ['Where will this run?', [KEY.enter]],
      ['Which providers', [KEY.down, KEY.down, KEY.space, KEY.enter]],
      ['Where should the page keep the key?', [KEY.enter]],
      ['Create the project?', [KEY.enter]],
    ]);
    expect(result.screen).toContain('Where will this run?');
    expect(result.exit).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(work.dir, 'pty-app', 'byok.json'), 'utf8'));
    expect(manifest.answers).toMatchObject({ pattern: 'browser', providers: ['google'] });
  });

  it('Ctrl-C at a prompt: "Cancelled", exit 130, nothing written', () => {
    const result = runInPty(['pty-cancelled', '--no-git'], [['Where will this run?', [KEY.ctrlC]]]);
    expect(result.exit).toBe(130);
    expect(result.screen).toContain('Cancelled');
    expect(existsSync(path.join(work.dir, 'pty-cancelled'))).toBe(false);
  });
});
