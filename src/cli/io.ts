import type { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { isatty } from 'node:tty';

/** The process's streams and environment, injectable so tests can drive the CLI in-process. */
export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdin and stdout are terminals, when known without opening stdin (see processIo). */
  terminal?: boolean;
}

export function processIo(): Io {
  return {
    // Opening process.stdin costs a stream set-up that runs with every flag given never need: only prompts read it.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    terminal: isatty(0) && isatty(1),
  };
}

/** `CI` set to anything but "false" or "0" means an automated run. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/** Prompts only when a person can answer them: both ends are terminals and this is not CI. */
export function canPrompt(io: Io): boolean {
  return (io.terminal ?? Boolean(io.stdin.isTTY && io.stdout.isTTY)) && !isCi(io.env);
}

/** A directory as shown to the user: relative to where they are, unless that means climbing out of it. */
export function displayPath(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  return relative === '' ? '.' : relative.startsWith('..') ? dir : relative;
}
