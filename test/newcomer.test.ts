// Issue 10: the CLI as a newcomer meets it, driven as they drive it: the built CLI in a real pseudo-terminal for
// the interactive points, spawned without a terminal for the rest.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
