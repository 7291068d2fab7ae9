import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { generateProject, tempDir } from './support/cli.js';
import { KEY, stripAnsi, terminal } from './support/terminal.js';

/** Interactive `update`, in process, through clack's injected streams: it asks only what the user wants to change. */

let work: { dir: string; cleanup: () => void };
beforeAll(() => {
  work = tempDir('byok-update-interactive-');
});
afterAll(() => work.cleanup());

let counter = 0;
async function proxyProject(): Promise<string> {
  counter += 1;
  const dir = path.join(work.dir, `app-${counter}`);
  await generateProject(dir, ['--pattern', 'proxy', '--provider', 'anthropic', '--name', 'app']);
  return dir;
}

const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'byok.json'), 'utf8'));
const snapshot = (dir: string) =>
  Object.fromEntries(readdirSync(dir, { recursive: true }).map(String).sort().map((file) => [file, statSync(path.join(dir, file)).mtimeMs]));

describe('interactive update', () => {
  it('asks what to change, then only those questions, starting from the recorded answers', async () => {
    const dir = await proxyProject();
    const term = terminal(dir);
    const exit = main(['update'], term.io);
    await term.answer('What do you want to change?', [KEY.space, KEY.enter]);
    // anthropic is already ticked; add openai (next in the list).
    await term.answer('Which providers will users bring keys for?', [KEY.down, KEY.space, KEY.enter]);
    await term.answer('Which one should the app offer first?', [KEY.enter]);
    await term.answer('Write ', [KEY.enter]);
    expect(await exit).toBe(0);

    const screen = stripAnsi(term.stdout.text);
    expect(screen).toContain('now anthropic');
    expect(screen).toContain('providers: anthropic -> anthropic, openai');
    expect(screen).not.toContain('Where should rate limits be counted?');
    expect(manifest(dir).answers).toMatchObject({ providers: ['anthropic', 'openai'], options: { rateLimitStore: 'memory' } });
  });

  it('changes a pattern option the same way', async () => {
    const dir = await proxyProject();
    const term = terminal(dir);
    const exit = main(['update', dir], term.io);
    await term.answer('What do you want to change?', [KEY.down, KEY.down, KEY.down, KEY.space, KEY.enter]);
    await term.answer('Where should rate limits be counted?', [KEY.down, KEY.enter]);
    await term.answer('Write ', [KEY.enter]);
    expect(await exit).toBe(0);
    expect(manifest(dir).answers).toMatchObject({ providers: ['anthropic'], options: { rateLimitStore: 'redis' } });
  });

  it('with nothing chosen, regenerates as is and has nothing to write', async () => {
    const dir = await proxyProject();
    const before = snapshot(dir);
    const term = terminal(dir);
    const exit = main(['update'], term.io);
    await term.answer('What do you want to change?', [KEY.enter]);
    expect(await exit).toBe(0);
    expect(stripAnsi(term.stdout.text)).toContain('Nothing to write');
    expect(snapshot(dir)).toEqual(before);
  });

  it('Ctrl-C at a question, or "no" at the confirmation: exit 130, nothing written', async () => {
    const dir = await proxyProject();
    const before = snapshot(dir);

    const cancelled = terminal(dir);
    const first = main(['update'], cancelled.io);
    await cancelled.answer('What do you want to change?', [KEY.space, KEY.enter]);
    await cancelled.answer('Which providers will users bring keys for?', [KEY.ctrlC]);
    expect(await first).toBe(130);

    const declined = terminal(dir);
    const second = main(['update', '--provider', 'openai'], declined.io);
    await declined.answer('Write ', [KEY.down, KEY.enter]);
    expect(await second).toBe(130);
    expect(stripAnsi(declined.stdout.text)).not.toContain('What do you want to change?');
    expect(snapshot(dir)).toEqual(before);
  });
});
