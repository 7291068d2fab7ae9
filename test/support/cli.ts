import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the BUILT bin, as users run it (`npm test` builds first). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'create-byok.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, then stdin is closed. Without it stdin is closed at once (no TTY, like CI). */
  input?: string;
  /** Kill the process after this many ms (a test that would hang fails instead). */
  timeoutMs?: number;
}

/** Spawns the built CLI with stdin/stdout as pipes (never a TTY). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd ?? os.tmpdir(),
      env: { ...process.env, CI: '', npm_config_user_agent: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'byok-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Generates a project with the built CLI, non-interactively, and fails loudly if the CLI does. */
export async function generateProject(
  targetDir: string,
  args: string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const result = await runCli([targetDir, '--yes', '--no-git', '--no-install', ...args], options);
  if (result.code !== 0) {
    throw new Error(`create-byok failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
  }
  return result;
}
