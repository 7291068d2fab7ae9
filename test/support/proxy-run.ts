// Generating the proxy pattern with the built CLI and running the generated server as a real process, against
// the fake provider. Shared by the proxy-*.test.ts suites and (as plain JS, separately) by bench/proxy.mjs.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { generateProject, tempDir } from './cli.js';
import type { FakeProvider, ProviderId } from './fake-provider.mjs';

/**
 * Generates a proxy for `providers` into a fresh temporary directory; with `fake`, each provider's default
 * origin is the fake's (`--base-url id=...`), so the generated server needs no UPSTREAM_* variable.
 */
export async function generateProxy(
  providers: string[],
  options: { fake?: FakeProvider; extraArgs?: string[] } = {},
): Promise<{ dir: string; cleanup: () => void }> {
  const { dir: root, cleanup } = tempDir('byok-proxy-');
  const dir = path.join(root, 'proxy');
  const baseUrls = options.fake
    ? providers.flatMap((id) => ['--base-url', `${id}=${options.fake!.baseUrl(id as ProviderId)}`])
    : [];
  await generateProject(dir, ['--pattern', 'proxy', '--provider', providers.join(','), ...baseUrls, ...(options.extraArgs ?? [])]);
  return { dir, cleanup };
}

export interface RunningProxy {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far. */
  stdout(): string;
  stderr(): string;
  /** The parsed `request` log lines so far. */
  requestLog(): Array<Record<string, unknown>>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `node server.js` of a generated proxy on a free port and waits for its "listening" line. */
export async function startProxyProcess(dir: string, env: Record<string, string> = {}): Promise<RunningProxy> {
  const child = spawn(process.execPath, [path.join(dir, 'server.js')], {
    cwd: dir,
    // A clean environment: only what the test sets (no UPSTREAM_* or LOG_LEVEL from the developer's shell).
    // No grace period on SIGTERM unless a test asks for one (the default, 5 s, is for load balancers).
    env: { PATH: process.env.PATH ?? '', PORT: '0', SHUTDOWN_GRACE_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy did not start:\n${stdout}\n${stderr}`)), 15_000);
    child.stdout!.on('data', () => {
      const line = stdout.split('\n').find((text) => text.includes('"msg":"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url as string);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`proxy exited (${code}) before listening:\n${stdout}\n${stderr}`));
    });
  });
  return {
    url,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    requestLog: () =>
      stdout
        .split('\n')
        .filter((line) => line.includes('"msg":"request"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Obviously fake keys in each provider's shape, distinctive per call (test/support/fake-keys.ts). */
export { fakeKey as distinctiveKey } from './fake-keys.js';

/** The header a provider's key travels in, as its official SDK sends it. */
export function authHeaders(provider: string, key: string): Record<string, string> {
  if (provider === 'anthropic') return { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
  if (provider === 'google') return { 'x-goog-api-key': key };
  return { authorization: `Bearer ${key}` };
}

/**
 * Every way a key could leak into a text: the key itself, and any 10-character window of it that is not part of
 * the provider's well-known prefix (a truncated or masked echo would still show one).
 */
export function leakedParts(text: string, key: string): string[] {
  const found: string[] = [];
  if (text.includes(key)) found.push(key);
  const distinctive = key.replace(/^(sk-ant-api03-|sk-proj-|sk-or-v1-|AIza|AQ\.|gsk_|xai-|sk-)/, '');
  for (let i = 0; i + 10 <= distinctive.length; i += 1) {
    const window = distinctive.slice(i, i + 10);
    // Filler runs ('xxxxxxxxxx') are not distinctive: only windows that include part of the random tag count.
    if (/^(.)\1+$/.test(window)) continue;
    if (text.includes(window)) found.push(window);
  }
  return found;
}
