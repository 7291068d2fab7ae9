// Leak test: every flow of the generated proxy (valid key, invalid key, rate limited, an upstream error that
// echoes the key, timeout, client abort, malformed JSON, oversized body, key in the URL, malformed HTTP) with
// distinctive keys, at LOG_LEVEL=debug; then no byte of any key may appear in the proxy's stdout or stderr.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from './support/fake-provider.mjs';
import { authHeaders, distinctiveKey, generateProxy, leakedParts, startProxyProcess, type RunningProxy } from './support/proxy-run.js';

let fake: FakeProvider;
let proxy: RunningProxy;
let cleanup: () => void;
const usedKeys: string[] = [];

/** A new distinctive key for one flow, remembered for the final scan. */
function keyFor(provider: string, status?: 'valid' | 'forbidden' | 'rate-limited'): string {
  const key = distinctiveKey(provider);
  usedKeys.push(key);
  if (status) fake.addKey(key, { status });
  return key;
}

const chat = {
  anthropic: { path: '/anthropic/v1/messages', body: { model: 'claude-haiku-4-5-20251001', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] } },
  openai: { path: '/openai/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } },
  google: { path: '/google/v1beta/models/gemini-2.5-flash:generateContent', body: { contents: [{ parts: [{ text: 'hi' }] }] } },
} as const;
type Chat = keyof typeof chat;

function post(provider: Chat, key: string, options: { body?: BodyInit; stream?: boolean; signal?: AbortSignal; headers?: Record<string, string> } = {}) {
  const body = options.body ?? JSON.stringify({ ...chat[provider].body, ...(options.stream && provider !== 'google' ? { stream: true } : {}) });
  const path = options.stream && provider === 'google' ? chat.google.path.replace(':generateContent', ':streamGenerateContent?alt=sse') : chat[provider].path;
  return fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { ...authHeaders(provider, key), 'content-type': 'application/json', ...options.headers },
    body,
    signal: options.signal,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

beforeAll(async () => {
  fake = await startFakeProvider();
  const generated = await generateProxy(['anthropic', 'openai', 'google'], { fake });
  cleanup = generated.cleanup;
  proxy = await startProxyProcess(generated.dir, {
    LOG_LEVEL: 'debug',
    RATE_LIMIT_BURST: '3',
    RATE_LIMIT_PER_MINUTE: '1',
    IP_RATE_LIMIT_BURST: '1000',
    UPSTREAM_TIMEOUT_MS: '1500',
    MAX_BODY_BYTES: '4096',
  });
});
afterAll(async () => {
  await proxy?.stop();
  await fake?.close();
  cleanup?.();
});

describe('every flow, with distinctive keys', () => {
  it('valid keys: chat, streams and key checks for each provider', async () => {
    for (const provider of Object.keys(chat) as Chat[]) {
      const key = keyFor(provider, 'valid');
      expect((await post(provider, key)).status).toBe(200);
      const streamed = await post(provider, key, { stream: true });
      expect(streamed.status).toBe(200);
      await streamed.text();
      const check = await fetch(`${proxy.url}/${provider}/byok/validate`, { method: 'POST', headers: authHeaders(provider, key) });
      expect((await check.json()).valid).toBe(true);
    }
    // Anthropic's current SDK sends the key as a bearer token.
    const bearer = keyFor('anthropic', 'valid');
    expect((await post('anthropic', bearer, { headers: { 'x-api-key': '', authorization: `Bearer ${bearer}` } })).status).toBe(200);
  });

  it('invalid and forbidden keys, including the provider’s masked echo', async () => {
    for (const provider of Object.keys(chat) as Chat[]) {
      const invalid = keyFor(provider);
      const answer = await post(provider, invalid);
      expect([400, 401]).toContain(answer.status);
      expect(leakedParts(await answer.text(), invalid)).toEqual([]);
      const check = await fetch(`${proxy.url}/${provider}/byok/validate`, { method: 'POST', headers: authHeaders(provider, invalid) });
      expect(await check.json()).toMatchObject({ valid: false, reason: 'invalid' });
      expect((await post(provider, keyFor(provider, 'forbidden'))).status).toBe(403);
    }
  });

  it('rate limited by the proxy (429 with Retry-After) and by the provider', async () => {
    const key = keyFor('openai', 'valid');
    const statuses = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await post('openai', key);
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await post('anthropic', keyFor('anthropic', 'rate-limited'))).status).toBe(429);
  });

  it('an upstream 500 whose body echoes the key: redacted in the answer and the logs', async () => {
    for (const provider of Object.keys(chat) as Chat[]) {
      const key = keyFor(provider, 'valid');
      fake.nextResponse(provider, { status: 500, echoKey: true, body: { error: { message: 'internal error for {{key}}', type: 'api_error' } } });
      const answer = await post(provider, key);
      expect(answer.status).toBe(500);
      const text = await answer.text();
      expect(text).toContain('internal error for [redacted]');
      expect(leakedParts(text, key)).toEqual([]);
    }
    const plain = keyFor('openai', 'valid');
    fake.nextResponse('openai', { status: 502, echoKey: true, body: 'upstream proxy error: bad key {{key}} rejected' });
    const answer = await post('openai', plain);
    expect(leakedParts(await answer.text(), plain)).toEqual([]);
  });

  it('a provider that never answers: 504 after UPSTREAM_TIMEOUT_MS', async () => {
    const key = keyFor('google', 'valid');
    fake.nextResponse('google', { hang: true });
    expect((await post('google', key)).status).toBe(504);
  });

  it('a client that goes away, mid-stream and before any answer', async () => {
    const key = keyFor('anthropic', 'valid');
    fake.setStreamDelay(100);
    const stop = new AbortController();
    const streamed = await post('anthropic', key, { stream: true, signal: stop.signal });
    const reader = streamed.body!.getReader();
    await reader.read();
    stop.abort();
    await reader.read().catch(() => undefined);
    fake.setStreamDelay(0);

    const hanging = keyFor('openai', 'valid');
    fake.nextResponse('openai', { hang: true });
    const early = new AbortController();
    const pending = post('openai', hanging, { signal: early.signal }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    early.abort();
    expect(await pending).toBe('aborted');
    await expect.poll(() => proxy.requestLog().filter((entry) => entry.status === 499).length).toBeGreaterThanOrEqual(2);
  });

  it('malformed JSON, an oversized body (declared and streamed) and a key in the URL', async () => {
    const key = keyFor('openai', 'valid');
    const malformed = await post('openai', key, { body: `{"model": "gpt-4o-mini", "messages": [${key}` });
    expect(malformed.status).toBe(400);
    expect((await post('openai', keyFor('openai', 'valid'), { body: 'x'.repeat(5000) })).status).toBe(413);
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i += 1) controller.enqueue(new TextEncoder().encode('y'.repeat(1000)));
        controller.close();
      },
    });
    expect((await post('anthropic', keyFor('anthropic', 'valid'), { body: chunks })).status).toBe(413);

    const inUrl = keyFor('google');
    const response = await fetch(`${proxy.url}/google/v1beta/models?key=${inUrl}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/x-goog-api-key/);
  });

  it('malformed HTTP carrying a key', async () => {
    const key = keyFor('openai');
    const port = Number(new URL(proxy.url).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.end(`GET /openai/v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nBroken header ${key}\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('the proxy’s stdout and stderr', () => {
  it('logged every flow, and hold no byte of any key', async () => {
    expect(await proxy.stop()).toBe(0);
    const statuses = new Set(proxy.requestLog().map((entry) => entry.status));
    for (const status of [200, 400, 401, 403, 413, 429, 499, 500, 504]) expect(statuses, `a ${status} was logged`).toContain(status);
    const output = proxy.stdout() + proxy.stderr();
    expect(usedKeys.length).toBeGreaterThan(20);
    for (const key of usedKeys) expect(leakedParts(output, key), `key ${usedKeys.indexOf(key)}`).toEqual([]);
  });
});
