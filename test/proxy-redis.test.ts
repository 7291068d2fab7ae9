// The proxy generated with --rate-limit-store redis: two proxy processes share one real redis-server (Debian's
// package, started here on a loopback port, no persistence). Under concurrent load from both sides the combined
// number of allowed requests is the configured burst; with Redis stopped, requests are served per the fail mode;
// with Redis back, shared limits resume. Redis never holds a key or the fingerprint secret.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/cli.js';
import { startFakeProvider, type FakeProvider } from './support/fake-provider.mjs';
import { authHeaders, distinctiveKey, generateProxy, leakedParts, startProxyProcess, type RunningProxy } from './support/proxy-run.js';

const BURST = 10;

let fake: FakeProvider;
let cleanup: () => void;
let redisPort: number;
let redisServer: ChildProcess | undefined;
let shared: [RunningProxy, RunningProxy];
let failClosed: RunningProxy;
const secret = randomBytes(32).toString('hex');
const keys: string[] = [];

/** A free port below Linux's ephemeral range, so that no client socket can be holding it when Redis restarts. */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer().once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function startRedis(): Promise<void> {
  const server = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  redisServer = server;
  const client = new Redis({ port: redisPort, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    const deadline = Date.now() + 10_000;
    while ((await client.ping().catch(() => 'down')) !== 'PONG') {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`redis-server did not start on ${redisPort}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.disconnect();
  }
}

async function stopRedis(): Promise<void> {
  const server = redisServer;
  redisServer = undefined;
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}

function newKey(): string {
  const key = distinctiveKey('openai');
  keys.push(key);
  fake.addKey(key);
  return key;
}

const models = (proxy: RunningProxy, key: string) => fetch(`${proxy.url}/openai/v1/models`, { headers: authHeaders('openai', key) });

/** `count` concurrent requests with `key` through each proxy; the statuses of all of them. */
async function loadBoth(key: string, count: number): Promise<number[]> {
  const answers = await Promise.all(shared.flatMap((proxy) => Array.from({ length: count }, () => models(proxy, key))));
  return answers.map((response) => response.status);
}

beforeAll(async () => {
  const installed = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (installed.status !== 0) throw new Error('redis-server is missing: .ci/install-rigs.sh installs it (apt-get install redis-server)');
  redisPort = await freeLowPort();
  await startRedis();
  fake = await startFakeProvider();
  const generated = await generateProxy(['openai'], { fake, extraArgs: ['--rate-limit-store', 'redis'] });
  cleanup = generated.cleanup;
  // What `npm install` would give the generated project: its one dependency.
  mkdirSync(path.join(generated.dir, 'node_modules'));
  symlinkSync(path.join(repoRoot, 'node_modules/ioredis'), path.join(generated.dir, 'node_modules/ioredis'), 'dir');
  const env = {
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    KEY_FINGERPRINT_SECRET: secret,
    RATE_LIMIT_BURST: String(BURST),
    RATE_LIMIT_PER_MINUTE: '1',
    IP_RATE_LIMIT_BURST: '100000',
    // Generous: on a busy machine a slow answer would count as an outage and each proxy would fall back to
    // its own buckets, which is right for production and wrong for exact counts here.
    REDIS_COMMAND_TIMEOUT_MS: '3000',
  };
  shared = [await startProxyProcess(generated.dir, env), await startProxyProcess(generated.dir, env)];
  failClosed = await startProxyProcess(generated.dir, { ...env, RATE_LIMIT_FAIL: 'closed' });
});
afterAll(async () => {
  for (const proxy of [...(shared ?? []), failClosed]) await proxy?.stop();
  await stopRedis();
  await fake?.close();
  cleanup?.();
});

describe('two proxies, one Redis', () => {
  it(`let exactly RATE_LIMIT_BURST (${BURST}) of 60 concurrent requests through, whichever proxy they hit`, async () => {
    fake.reset();
    const statuses = await loadBoth(newKey(), 30);
    expect(statuses.filter((status) => status === 200)).toHaveLength(BURST);
    expect(statuses.filter((status) => status === 429)).toHaveLength(60 - BURST);
    expect(fake.requests).toHaveLength(BURST);
  });

  it('keep only fingerprints in Redis: no key, no secret, buckets that expire', async () => {
    const client = new Redis({ port: redisPort, host: '127.0.0.1' });
    try {
      const names = await client.keys('*');
      expect(names.length).toBeGreaterThan(0);
      let dump = '';
      for (const name of names) {
        expect(name).toMatch(/^byok:ratelimit:(key:[0-9a-f]{32}|ip:[0-9a-f.:/]+)$/);
        const values = await client.hgetall(name);
        expect(Object.keys(values).sort()).toEqual(['tokens', 'updatedAt']);
        for (const value of Object.values(values)) expect(value).toMatch(/^[\d.e+-]+$/);
        expect(await client.pttl(name)).toBeGreaterThan(0);
        dump += `${name} ${JSON.stringify(values)}\n`;
      }
      for (const key of keys) expect(leakedParts(dump, key)).toEqual([]);
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(0, 16));
    } finally {
      client.disconnect();
    }
  });
});

describe('Redis stopped, then back', () => {
  it('fail open: each proxy counts on its own meanwhile and logs the outage once; fail closed: 503', async () => {
    await stopRedis();
    const key = newKey();
    for (let i = 0; i < 5; i += 1) {
      for (const proxy of shared) expect((await models(proxy, key)).status).toBe(200);
    }
    // Per process now: each proxy allows the full burst on its own.
    const statuses = await loadBoth(key, 10);
    expect(statuses.filter((status) => status === 200)).toHaveLength(2 * (BURST - 5));
    // Log lines go out in batches (within 20 ms): wait for the batch, then exactly one outage line.
    for (const proxy of shared) {
      await expect.poll(() => proxy.stdout().match(/rate-limit store unreachable/g) ?? []).toHaveLength(1);
    }
    const refused = await models(failClosed, key);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });

  it('shared limits resume once Redis is reachable again, without a restart', async () => {
    await startRedis();
    await expect
      .poll(() => shared.every((proxy) => proxy.stdout().includes('rate-limit store reachable again')), { timeout: 10_000 })
      .toBe(true);
    fake.reset();
    const statuses = await loadBoth(newKey(), 15);
    expect(statuses.filter((status) => status === 200)).toHaveLength(BURST);
    expect((await models(failClosed, newKey())).status).toBe(200);
  });

  it('never logged a key', async () => {
    const output = [...shared, failClosed].map((proxy) => proxy.stdout() + proxy.stderr()).join('\n');
    for (const key of keys) expect(leakedParts(output, key)).toEqual([]);
    expect(output).not.toContain(secret);
  });
});
