// Rate limits of the generated Worker under concurrent load, with each store, run by `wrangler dev` in workerd:
// - Durable Objects: exactly RATE_LIMIT_BURST of a burst with one key pass, and exactly IP_RATE_LIMIT_BURST of
//   distinct unknown keys from one address (someone trying stolen keys); 429 with Retry-After, RateLimit and
//   RateLimit-Policy, like the Node proxy;
// - the Rate Limiting binding: exactly its limit per period (as miniflare counts it), without the RateLimit field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from './support/fake-provider.mjs';
import { authHeaders, distinctiveKey, leakedParts } from './support/proxy-run.js';
import { generateWorker, startWorkerDev, type RunningWorker } from './support/worker-run.js';

const BURST = 10;
const IP_BURST = 5;

let fake: FakeProvider;
const running: RunningWorker[] = [];
const cleanups: Array<() => void> = [];
const sentKeys: string[] = [];

/** Locally a client may set CF-Connecting-IP (at the edge Cloudflare sets it): one address per test. */
let nextAddress = 1;
const address = () => `198.51.100.${nextAddress++}`;

async function start(store: string, vars: Record<string, string> = {}) {
  const generated = await generateWorker(['openai'], { fake, extraArgs: ['--rate-limit-store', store] });
  cleanups.push(generated.cleanup);
  const worker = await startWorkerDev(generated.dir, vars);
  running.push(worker);
  return worker;
}

function models(worker: RunningWorker, key: string, from: string) {
  sentKeys.push(key);
  return fetch(`${worker.url}/openai/v1/models`, { headers: { ...authHeaders('openai', key), 'cf-connecting-ip': from } });
}

/** The binding counts in windows aligned to the clock: start a burst at least 2 s before the window turns. */
async function awayFromWindowEdge(periodSeconds: number) {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < 2000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => {
  for (const worker of running) {
    const output = worker.stdout() + worker.stderr();
    for (const key of sentKeys) expect(leakedParts(output, key)).toEqual([]);
    await worker.stop();
  }
  await fake?.close();
  for (const cleanup of cleanups) cleanup();
});

describe('Durable Objects (the default)', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await start('durable-object', {
      RATE_LIMIT_BURST: String(BURST),
      // One token a minute: nothing refills during the test, so the counts are exact.
      RATE_LIMIT_PER_MINUTE: '1',
      IP_RATE_LIMIT_BURST: String(IP_BURST),
      IP_RATE_LIMIT_PER_MINUTE: '1',
    });
  }, 300_000);

  it(`lets exactly RATE_LIMIT_BURST (${BURST}) of 40 concurrent requests with one key through`, async () => {
    const key = distinctiveKey('openai');
    fake.addKey(key);
    // The key is seen to work first, so its requests count against the key's bucket only (not the address's).
    const from = address();
    expect((await models(worker, key, from)).status).toBe(200);
    fake.reset();
    const answers = await Promise.all(Array.from({ length: 40 }, () => models(worker, key, from)));
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(BURST - 1);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40 - (BURST - 1));
    expect(fake.requests).toHaveLength(BURST - 1);
    for (const refused of answers.filter((response) => response.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('ratelimit-policy')).toBe(`"key";q=${BURST};w=${BURST * 60}`);
      expect(refused.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);
    }
    const allowed = answers.find((response) => response.status === 200)!;
    expect(allowed.headers.get('ratelimit')).toMatch(/^"key";r=\d+;t=\d+$/);
    await Promise.all(answers.map((response) => response.body?.cancel()));
  });

  it(`lets exactly IP_RATE_LIMIT_BURST (${IP_BURST}) of 20 concurrent attempts with distinct unknown keys from one address through`, async () => {
    fake.reset();
    const from = address();
    const answers = await Promise.all(Array.from({ length: 20 }, () => models(worker, distinctiveKey('openai'), from)));
    const statuses = answers.map((response) => response.status);
    // The provider says 401 to the ones that get through: each was an attempt all the same.
    expect(statuses.filter((status) => status === 401)).toHaveLength(IP_BURST);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20 - IP_BURST);
    const refused = answers.find((response) => response.status === 429)!;
    expect(refused.headers.get('ratelimit-policy')).toBe(`"ip";q=${IP_BURST};w=${IP_BURST * 60}`);
    expect(fake.requests).toHaveLength(IP_BURST);
    // Another address is not affected.
    expect((await models(worker, distinctiveKey('openai'), address())).status).toBe(401);
  });
});

describe('the Rate Limiting binding (--rate-limit-store rate-limit-binding)', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await start('rate-limit-binding');
  }, 300_000);

  it('lets exactly the key limit (10 per 10 s) of 30 concurrent requests with one key through', async () => {
    const key = distinctiveKey('openai');
    fake.addKey(key);
    await awayFromWindowEdge(10);
    const from = address();
    // The key is seen to work first, so its requests count against the key's limit only (not the address's).
    expect((await models(worker, key, from)).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 30 }, () => models(worker, key, from)));
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(9);
    expect(statuses.filter((status) => status === 429)).toHaveLength(21);
    const refused = answers.find((response) => response.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(refused.headers.get('ratelimit-policy')).toBe('"key";q=10;w=10');
    // The binding does not say how many remain: no RateLimit field rather than a made-up one.
    expect(refused.headers.get('ratelimit')).toBeNull();
  });

  it('lets exactly the address limit (20 per 60 s) of 40 attempts with distinct unknown keys through', async () => {
    await awayFromWindowEdge(60);
    const from = address();
    const answers = await Promise.all(Array.from({ length: 40 }, () => models(worker, distinctiveKey('openai'), from)));
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    expect(answers.find((response) => response.status === 429)!.headers.get('ratelimit-policy')).toBe('"ip";q=20;w=60');
  });
});
