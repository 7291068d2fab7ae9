// Rate limits of the generated proxy under concurrent load: exactly the configured number of requests pass, the
// rest get 429 with Retry-After and the IETF RateLimit fields; keys that do not work are limited per address, and
// X-Forwarded-For counts only with TRUST_PROXY.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from './support/fake-provider.mjs';
import { authHeaders, distinctiveKey, generateProxy, startProxyProcess, type RunningProxy } from './support/proxy-run.js';

const BURST = 10;
const IP_BURST = 5;

let fake: FakeProvider;
let dir: string;
let cleanup: () => void;
const running: RunningProxy[] = [];

async function start(env: Record<string, string> = {}) {
  const proxy = await startProxyProcess(dir, {
    RATE_LIMIT_BURST: String(BURST),
    // One token a minute: nothing refills during the test, so the counts are exact.
    RATE_LIMIT_PER_MINUTE: '1',
    IP_RATE_LIMIT_BURST: String(IP_BURST),
    IP_RATE_LIMIT_PER_MINUTE: '1',
    ...env,
  });
  running.push(proxy);
  return proxy;
}

const models = (proxy: RunningProxy, key: string, headers: Record<string, string> = {}) =>
  fetch(`${proxy.url}/openai/v1/models`, { headers: { ...authHeaders('openai', key), ...headers } });

beforeAll(async () => {
  fake = await startFakeProvider();
  const generated = await generateProxy(['openai'], { fake });
  dir = generated.dir;
  cleanup = generated.cleanup;
});
afterAll(async () => {
  for (const proxy of running) await proxy.stop();
  await fake?.close();
  cleanup?.();
});

describe('per key', () => {
  it(`lets exactly RATE_LIMIT_BURST (${BURST}) of 60 concurrent requests through, the rest 429 with Retry-After`, async () => {
    const proxy = await start({ IP_RATE_LIMIT_BURST: '1000' });
    const key = distinctiveKey('openai');
    fake.addKey(key);
    fake.reset();
    const answers = await Promise.all(Array.from({ length: 60 }, () => models(proxy, key)));
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(BURST);
    expect(statuses.filter((status) => status === 429)).toHaveLength(60 - BURST);
    expect(fake.requests).toHaveLength(BURST);
    for (const refused of answers.filter((response) => response.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('ratelimit-policy')).toBe(`"key";q=${BURST};w=${BURST * 60}`);
      expect(refused.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);
    }
    const allowed = answers.find((response) => response.status === 200)!;
    expect(allowed.headers.get('ratelimit')).toMatch(/^"key";r=\d+;t=\d+$/);
  });

  it('keeps one key’s bucket apart from another’s, and the SDK sees a RateLimitError', async () => {
    const proxy = await start({ IP_RATE_LIMIT_BURST: '1000' });
    const [first, second] = [distinctiveKey('openai'), distinctiveKey('openai')];
    fake.addKey(first);
    fake.addKey(second);
    const firstAnswers = await Promise.all(Array.from({ length: BURST + 5 }, () => models(proxy, first)));
    expect(firstAnswers.filter((response) => response.status === 200)).toHaveLength(BURST);
    expect((await models(proxy, second)).status).toBe(200);
    const client = new OpenAI({ apiKey: first, baseURL: `${proxy.url}/openai/v1`, maxRetries: 0 });
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('per client address', () => {
  it(`lets exactly IP_RATE_LIMIT_BURST (${IP_BURST}) attempts with unknown keys through, however many keys`, async () => {
    const proxy = await start();
    fake.reset();
    const answers = await Promise.all(Array.from({ length: 30 }, () => models(proxy, distinctiveKey('openai'))));
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(IP_BURST);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - IP_BURST);
    expect(fake.requests).toHaveLength(IP_BURST);
    const refused = answers.find((response) => response.status === 429)!;
    expect(refused.headers.get('ratelimit-policy')).toBe(`"ip";q=${IP_BURST};w=${IP_BURST * 60}`);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Requests without any key count against the same address bucket.
    expect((await fetch(`${proxy.url}/openai/v1/models`)).status).toBe(429);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is set, then counts the forwarded address', async () => {
    const spoofing = await start();
    const spoofed = await Promise.all(
      Array.from({ length: 10 }, (_, i) => models(spoofing, distinctiveKey('openai'), { 'x-forwarded-for': `198.51.100.${i}` })),
    );
    expect(spoofed.filter((response) => response.status === 429)).toHaveLength(10 - IP_BURST);

    const behindOneProxy = await start({ TRUST_PROXY: '1' });
    const forwarded = await Promise.all(
      Array.from({ length: 10 }, (_, i) => models(behindOneProxy, distinctiveKey('openai'), { 'x-forwarded-for': `198.51.100.${i}` })),
    );
    expect(forwarded.filter((response) => response.status === 429)).toHaveLength(0);
  });
});
