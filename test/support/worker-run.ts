// Generating the worker pattern with the built CLI and running the generated Worker locally, as `wrangler dev`
// does it for a user: workerd on this machine, its outbound fetches made by workerd itself (to the fake provider
// on 127.0.0.1). Shared by the worker-*.test.ts suites and (as plain JS, separately) by bench/worker.mjs.
//
// wrangler 4 needs Node >= 22.12: it runs on the Node 22 that .ci/install-node.sh puts in .rigs/. The generated
// project's devDependencies (wrangler, which brings workerd) are installed once per version into a cache beside
// create-byok's own node_modules, and linked into each generated project.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { generateProject, repoRoot, tempDir } from './cli.js';
import type { FakeProvider, ProviderId } from './fake-provider.mjs';

export const NODE_22 = path.join(repoRoot, '.rigs', 'node-22', 'node_modules', '.bin', 'node');

/** The Node 22 binary wrangler runs on; a missing rig fails in one line naming the command that installs it. */
export function node22(): string {
  if (!existsSync(NODE_22)) {
    throw new Error('Node 22 is missing (wrangler 4 needs Node >= 22.12): run `bash .ci/install-node.sh 22`');
  }
  return NODE_22;
}

/**
 * Generates a Worker for `providers` into a fresh temporary directory, with its dependencies linked in and a
 * .dev.vars holding a fresh KEY_FINGERPRINT_SECRET; with `fake`, each provider's origin is the fake's.
 */
export async function generateWorker(
  providers: string[],
  options: { fake?: FakeProvider; extraArgs?: string[] } = {},
): Promise<{ dir: string; cleanup: () => void }> {
  const { dir: root, cleanup } = tempDir('byok-worker-');
  const dir = path.join(root, 'edge');
  const baseUrls = options.fake
    ? providers.flatMap((id) => ['--base-url', `${id}=${options.fake!.baseUrl(id as ProviderId)}`])
    : [];
  await generateProject(dir, ['--pattern', 'worker', '--provider', providers.join(','), ...baseUrls, ...(options.extraArgs ?? [])]);
  await linkDependencies(dir);
  writeFileSync(path.join(dir, '.dev.vars'), `KEY_FINGERPRINT_SECRET=${randomBytes(32).toString('hex')}\n`);
  return { dir, cleanup };
}

/**
 * Links the generated project's devDependencies from a shared install: one `npm install` per distinct set of
 * devDependencies, kept in node_modules/.cache (so a later run needs no network), guarded by a lock directory
 * because test files run in parallel.
 */
export async function linkDependencies(dir: string): Promise<void> {
  const { devDependencies } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const hash = createHash('sha256').update(JSON.stringify(devDependencies)).digest('hex').slice(0, 12);
  const cache = path.join(repoRoot, 'node_modules', '.cache', 'create-byok-worker', hash);
  await installOnce(cache, devDependencies);
  symlinkSync(path.join(cache, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

async function installOnce(cache: string, devDependencies: Record<string, string>): Promise<void> {
  const done = path.join(cache, '.installed');
  const lock = `${cache}.lock`;
  mkdirSync(path.dirname(cache), { recursive: true });
  for (let waited = 0; !existsSync(done); waited += 500) {
    try {
      mkdirSync(lock);
    } catch {
      if (waited > 300_000) throw new Error(`Timed out waiting for ${lock} (remove it if no test run is installing)`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (existsSync(done)) break;
      rmSync(cache, { recursive: true, force: true });
      mkdirSync(cache, { recursive: true });
      writeFileSync(path.join(cache, 'package.json'), JSON.stringify({ private: true, devDependencies }));
      // Node 22 first on PATH: npm runs (and checks engines) with the Node wrangler will run on. workerd's
      // binary comes in a platform package, so nothing needs an install script.
      await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: cache,
        env: { PATH: `${path.dirname(node22())}${path.delimiter}${process.env.PATH ?? ''}` },
      });
      writeFileSync(done, '');
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface RunningWorker {
  url: string;
  child: ChildProcess;
  /** Everything wrangler and the Worker wrote so far. */
  stdout(): string;
  stderr(): string;
  /** The Worker's parsed `request` log lines so far. */
  requestLog(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * `wrangler dev` of a generated Worker on a free port, with `vars` replacing those of wrangler.jsonc; resolves
 * once it is ready.
 */
export async function startWorkerDev(dir: string, vars: Record<string, string> = {}): Promise<RunningWorker> {
  const wrangler = path.join(dir, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  const args = [wrangler, 'dev', '--ip', '127.0.0.1', '--port', '0', '--inspector-port', '0', '--show-interactive-dev-session=false'];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn(node22(), args, {
    cwd: dir,
    // A clean environment: no Cloudflare credentials or settings from the developer's shell; no metrics.
    env: { PATH: process.env.PATH ?? '', HOME: dir, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not start:\n${stdout}\n${stderr}`)), 60_000);
    child.stdout!.on('data', () => {
      const ready = /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`wrangler dev exited before it was ready:\n${stdout}\n${stderr}`));
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
        .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>),
    stop: async () => {
      // wrangler dev runs workerd as its child: stop the whole process group, as Ctrl-C does.
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      await exited;
    },
  };
}

/**
 * Runs the security core's vectors through a rendered Worker's own modules inside workerd (wrangler's test
 * harness on Node 22): a Worker importing src/redact.js, src/validate-key.js, src/paths.js and src/providers.js
 * answers one request with every result, in the order given.
 */
export async function runVectorsInWorkerd(
  dir: string,
  input: {
    redaction: Array<{ input: string; secrets: string[] }>;
    keyCheck: Array<{ provider: string; status: number; body: string }>;
    paths: Array<{ provider: string; path: string }>;
  },
): Promise<{ redaction: string[]; keyCheck: string[]; paths: boolean[] }> {
  await linkDependencies(dir);
  writeFileSync(
    path.join(dir, 'vectors-worker.js'),
    `import { redact } from './src/redact.js';
import { keyCheckOutcome } from './src/validate-key.js';
import { compileAllowlist, isSafePath } from './src/paths.js';
import { PROVIDERS } from './src/providers.js';
export default {
  async fetch(request) {
    const input = await request.json();
    return Response.json({
      redaction: input.redaction.map(({ input, secrets }) => redact(input, secrets)),
      keyCheck: input.keyCheck.map(({ provider, status, body }) => keyCheckOutcome(PROVIDERS[provider], status, body)),
      paths: input.paths.map(({ provider, path }) => isSafePath(path) && compileAllowlist(PROVIDERS[provider].paths).test(path)),
    });
  },
};
`,
  );
  writeFileSync(
    path.join(dir, 'run-vectors.mjs'),
    `import { createTestHarness } from 'wrangler';
const input = await new Response(process.stdin).text();
const server = createTestHarness({
  root: ${JSON.stringify(dir)},
  workers: [{ config: { name: 'vectors', main: 'vectors-worker.js', compatibility_date: '2026-11-01' } }],
});
await server.listen();
try {
  const response = await server.fetch('/', { method: 'POST', body: input });
  process.stdout.write(await response.text());
} finally {
  await server.close();
}
`,
  );
  const { stdout } = await execa(node22(), ['run-vectors.mjs'], {
    cwd: dir,
    input: JSON.stringify(input),
    env: { PATH: process.env.PATH ?? '', HOME: dir, WRANGLER_SEND_METRICS: 'false' },
  });
  return JSON.parse(stdout) as { redaction: string[]; keyCheck: string[]; paths: boolean[] };
}
