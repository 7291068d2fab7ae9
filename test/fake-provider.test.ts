// The fake provider every end-to-end test and benchmark relies on: if it drifts from the real shapes, those tests
// prove nothing. Plain fetch only, so what is checked here is the wire format itself.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeKey } from './support/fake-keys.js';
import {
  DEFAULT_MODELS,
  fakeAnswer,
  PROVIDER_IDS,
  startFakeProvider,
  type FakeProvider,
  type ProviderId,
} from './support/fake-provider.mjs';

// One fake key per provider, in its shape, fresh for this run (test/support/fake-keys.ts).
const keys = Object.fromEntries(PROVIDER_IDS.map((id) => [id, fakeKey(id)])) as Record<ProviderId, string>;
/** The same shapes, never added to the fake: invalid. */
const wrongKey = (id: ProviderId) => keys[id].slice(0, -6) + 'wrong1';
const forbiddenKey = 'fake-forbidden-' + 'f'.repeat(20);
const rateLimitedKey = 'fake-rate-limited-' + 'r'.repeat(20);

/** Parsed JSON answers, checked field by field below. */
type Json = any;

/** How each provider is called: the table the per-provider checks below run over. */
interface ProviderCase {
  id: ProviderId;
  auth: (key: string) => Record<string, string>;
  modelsPath: string;
  modelIds: (body: Json) => string[];
  chatPath: (stream: boolean) => string;
  chatBody: (text: string, stream: boolean) => object;
  answerText: (body: Json) => string;
  /** The text pieces of a streamed answer, from the raw SSE. */
  streamPieces: (raw: string) => string[];
  invalidStatus: number;
  checkInvalidBody: (body: Json) => void;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function sseEvents(raw: string): { event?: string; data: string }[] {
  return raw.split(/\r?\n\r?\n/).filter((block) => block.trim()).map((block) => {
    const lines = block.split(/\r?\n/);
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
    const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
    return { event, data };
  });
}

function openAiCase(id: ProviderId, prefix: string, invalidStatus: number, checkInvalidBody: (b: Json) => void): ProviderCase {
  return {
    id,
    auth: bearer,
    modelsPath: `${prefix}/models`,
    modelIds: (body) => body.data.map((m: Json) => m.id),
    chatPath: () => `${prefix}/chat/completions`,
    chatBody: (text, stream) => ({ model: DEFAULT_MODELS[id][0], stream, messages: [{ role: 'user', content: text }] }),
    answerText: (body) => body.choices[0].message.content,
    streamPieces: (raw) => {
      const events = sseEvents(raw);
      expect(events.at(-1)?.data).toBe('[DONE]');
      return events.slice(0, -1).map((e) => JSON.parse(e.data)).map((c) => c.choices[0]?.delta?.content ?? '').filter(Boolean);
    },
    invalidStatus,
    checkInvalidBody,
  };
}

const cases: ProviderCase[] = [
  {
    id: 'anthropic',
    auth: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
    modelsPath: '/v1/models',
    modelIds: (body) => body.data.map((m: Json) => m.id),
    chatPath: () => '/v1/messages',
    chatBody: (text, stream) => ({ model: DEFAULT_MODELS.anthropic[0], max_tokens: 64, stream,
      messages: [{ role: 'user', content: text }] }),
    answerText: (body) => body.content[0].text,
    streamPieces: (raw) => sseEvents(raw).filter((e) => e.event === 'content_block_delta')
      .map((e) => JSON.parse(e.data).delta.text),
    invalidStatus: 401,
    checkInvalidBody: (body) => {
      expect(body.type).toBe('error');
      expect(body.error.type).toBe('authentication_error');
    },
  },
  openAiCase('openai', '/v1', 401, (body) => {
    expect(body.error.code).toBe('invalid_api_key');
    expect(body.error.type).toBe('invalid_request_error');
    // OpenAI echoes the key masked: the last four characters only.
    expect(body.error.message).toContain('ong1.');
    expect(body.error.message).toMatch(/^Incorrect API key provided: sk-proj-\*+ong1\./);
  }),
  {
    id: 'google',
    auth: (key) => ({ 'x-goog-api-key': key }),
    modelsPath: '/v1beta/models',
    modelIds: (body) => body.models.map((m: Json) => m.name.replace(/^models\//, '')),
    chatPath: (stream) => `/v1beta/models/gemini-2.5-flash:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    chatBody: (text) => ({ contents: [{ role: 'user', parts: [{ text }] }] }),
    answerText: (body) => body.candidates[0].content.parts.map((p: Json) => p.text).join(''),
    streamPieces: (raw) => {
      // The real API ends each event with CRLF CRLF.
      expect(raw.endsWith('\r\n\r\n')).toBe(true);
      return sseEvents(raw).map((e) => JSON.parse(e.data).candidates[0].content.parts[0].text);
    },
    // Google answers a wrong key with 400, not 401.
    invalidStatus: 400,
    checkInvalidBody: (body) => {
      expect(body.error.status).toBe('INVALID_ARGUMENT');
      expect(body.error.details[0].reason).toBe('API_KEY_INVALID');
      expect(body.error.message).toBe('API key not valid. Please pass a valid API key.');
    },
  },
  openAiCase('mistral', '/v1', 401, (body) => expect(body).toEqual({ detail: 'Unauthorized' })),
  openAiCase('groq', '/openai/v1', 401, (body) => expect(body.error.code).toBe('invalid_api_key')),
  openAiCase('openrouter', '/api/v1', 401, (body) => expect(body.error).toEqual({ message: 'User not found.', code: 401 })),
  // xAI answers a wrong key with 400 and its own shape.
  openAiCase('xai', '/v1', 400, (body) => {
    expect(body.code).toBe('Client specified an invalid argument');
    expect(body.error).toMatch(/^Incorrect API key provided: xa\*\*\*g1\./);
  }),
  openAiCase('deepseek', '', 401, (body) => {
    expect(body.error.type).toBe('authentication_error');
    expect(body.error.message).toBe('Authentication Fails, Your api key: ****ong1 is invalid');
  }),
];

let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider();
  for (const key of Object.values(keys)) fake.addKey(key);
  fake.addKey(forbiddenKey, { status: 'forbidden' });
  fake.addKey(rateLimitedKey, { status: 'rate-limited' });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setStreamDelay(0);
});

const call = (id: ProviderId, path: string, init: RequestInit = {}) => fetch(fake.baseUrl(id) + path, init);
const post = (id: ProviderId, path: string, headers: Record<string, string>, body: unknown) =>
  call(id, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body) });

describe.each(cases)('$id', (c) => {
  const key = keys[c.id];

  it('lists models for a valid key', async () => {
    const res = await call(c.id, c.modelsPath, { headers: c.auth(key) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(c.modelIds(await res.json())).toEqual(DEFAULT_MODELS[c.id]);
  });

  it("answers a wrong key with the provider's invalid-key shape, never the full key", async () => {
    const chat = c.id === 'openrouter'; // OpenRouter's model list is public, so its key is checked on chat
    const res = chat
      ? await post(c.id, c.chatPath(false), c.auth(wrongKey(c.id)), c.chatBody('hi', false))
      : await call(c.id, c.modelsPath, { headers: c.auth(wrongKey(c.id)) });
    expect(res.status).toBe(c.invalidStatus);
    const text = await res.text();
    expect(text).not.toContain(wrongKey(c.id));
    c.checkInvalidBody(JSON.parse(text));
  });

  it('answers 403 for a forbidden key and 429 for a rate-limited one', async () => {
    const forbidden = await post(c.id, c.chatPath(false), c.auth(forbiddenKey), c.chatBody('hi', false));
    expect(forbidden.status).toBe(403);
    const limited = await post(c.id, c.chatPath(false), c.auth(rateLimitedKey), c.chatBody('hi', false));
    expect(limited.status).toBe(429);
    if (c.id === 'google') {
      const body = await limited.json();
      expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
      expect(body.error.details[0].retryDelay).toMatch(/^\d+s$/);
    } else {
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    }
  });

  it('chats with the deterministic answer', async () => {
    const res = await post(c.id, c.chatPath(false), c.auth(key), c.chatBody('what is 2+2?', false));
    expect(res.status).toBe(200);
    expect(c.answerText(await res.json())).toBe(fakeAnswer(c.id, 'what is 2+2?'));
  });

  it('streams the same answer in several pieces', async () => {
    const res = await post(c.id, c.chatPath(true), c.auth(key), c.chatBody('tell me a story', true));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const pieces = c.streamPieces(await res.text());
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(pieces.join('')).toBe(fakeAnswer(c.id, 'tell me a story'));
  });

  it('answers an unknown path with 404, a wrong method with 405 and bad JSON with 400', async () => {
    const unknown = await call(c.id, c.modelsPath.replace(/models$/, 'nothing-here'), { headers: c.auth(key) });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    const wrongMethod = await call(c.id, c.chatPath(false), { headers: c.auth(key) });
    expect(wrongMethod.status).toBe(405);
    const badJson = await post(c.id, c.chatPath(false), c.auth(key), '{"model": ');
    expect(badJson.status).toBe(400);
    expect(JSON.stringify(await badJson.json())).toMatch(/pars|JSON/i);
  });
});

describe('anthropic', () => {
  const key = keys.anthropic;
  const origin = 'http://app.test';

  it('accepts Authorization: Bearer, as the official TypeScript SDK 1.x sends', async () => {
    const res = await call('anthropic', '/v1/models', { headers: { ...bearer(key), 'anthropic-version': '2026-10-21' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
  });

  it('requires anthropic-version', async () => {
    const res = await call('anthropic', '/v1/models', { headers: { 'x-api-key': key } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.type).toBe('invalid_request_error');
  });

  it('streams the exact event sequence of the real API', async () => {
    const res = await post('anthropic', '/v1/messages', { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      { model: 'claude-x', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const events = sseEvents(await res.text());
    const names = events.map((e) => e.event);
    const deltas = names.filter((n) => n === 'content_block_delta').length;
    expect(names).toEqual(['message_start', 'content_block_start', 'ping',
      ...Array(deltas).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
    for (const e of events) expect(JSON.parse(e.data).type).toBe(e.event);
    expect(JSON.parse(events[0]!.data).message).toMatchObject({ type: 'message', role: 'assistant', content: [] });
    expect(JSON.parse(events.at(-2)!.data).delta.stop_reason).toBe('end_turn');
  });

  it('counts tokens', async () => {
    const res = await post('anthropic', '/v1/messages/count_tokens', { 'x-api-key': key, 'anthropic-version': '1' },
      { model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(await res.json()).toEqual({ input_tokens: expect.any(Number) });
  });

  it('refuses a browser request without anthropic-dangerous-direct-browser-access, with no CORS headers', async () => {
    const res = await call('anthropic', '/v1/models', { headers: { 'x-api-key': key, 'anthropic-version': '1', origin } });
    expect(res.status).toBe(401);
    expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('allows a browser request with the header, echoing the origin', async () => {
    const res = await call('anthropic', '/v1/models', { headers: { 'x-api-key': key, 'anthropic-version': '1', origin,
      'anthropic-dangerous-direct-browser-access': 'true' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/retry-after/);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/request-id/);
  });

  it('answers the preflight allowing its own headers', async () => {
    const res = await call('anthropic', '/v1/messages', { method: 'OPTIONS', headers: { origin,
      'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    const allowed = res.headers.get('access-control-allow-headers')!.split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['anthropic-dangerous-direct-browser-access', 'x-api-key',
      'anthropic-version', 'content-type', 'authorization']));
  });
});

describe('CORS of the other providers', () => {
  const preflight = (id: ProviderId, path: string, requested: string) => call(id, path, { method: 'OPTIONS',
    headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', 'access-control-request-headers': requested } });

  it.each(['openai', 'google', 'openrouter', 'groq', 'xai', 'deepseek'] as const)(
    '%s allows any origin and echoes the requested headers', async (id) => {
      const path = cases.find((c) => c.id === id)!.chatPath(false);
      const res = await preflight(id, path, 'authorization, content-type, x-stainless-os');
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-stainless-os');
      const actual = await call(id, cases.find((c) => c.id === id)!.modelsPath,
        { headers: { ...cases.find((c) => c.id === id)!.auth(keys[id]), origin: 'http://app.test' } });
      expect(actual.headers.get('access-control-allow-origin')).toBe('*');
    });

  it('mistral allows standard headers but refuses a preflight asking for others', async () => {
    const ok = await preflight('mistral', '/v1/chat/completions', 'authorization, content-type');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    const refused = await preflight('mistral', '/v1/chat/completions', 'authorization, x-stainless-os');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("google refuses the preflight of its OpenAI-compatible endpoint", async () => {
    const res = await preflight('google', '/v1beta/openai/chat/completions', 'authorization, content-type');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('provider specifics', () => {
  it('google accepts ?key= but records it, so tests can assert it never happened', async () => {
    const res = await call('google', `/v1beta/models?key=${keys.google}`);
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)!.query).toBe(`key=${keys.google}`);
  });

  it('google answers a request without key with 403 PERMISSION_DENIED and a forbidden key likewise', async () => {
    const res = await call('google', '/v1beta/models');
    expect(res.status).toBe(403);
    expect((await res.json()).error.status).toBe('PERMISSION_DENIED');
  });

  it('google streams a JSON array without alt=sse, and counts tokens', async () => {
    const res = await post('google', '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
      { 'x-goog-api-key': keys.google }, { contents: [{ parts: [{ text: 'hi' }] }] });
    const chunks = JSON.parse(await res.text()) as Json[];
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text).join('')).toBe(fakeAnswer('google', 'hi'));
    expect(chunks.at(-1).candidates[0].finishReason).toBe('STOP');
    const count = await post('google', '/v1beta/models/gemini-2.5-flash:countTokens',
      { 'x-goog-api-key': keys.google }, { contents: [{ parts: [{ text: 'hi' }] }] });
    expect(await count.json()).toEqual({ totalTokens: expect.any(Number) });
  });

  it('openrouter lists models without a key, and checks keys on /api/v1/key', async () => {
    expect((await call('openrouter', '/api/v1/models')).status).toBe(200);
    expect((await call('openrouter', '/api/v1/key')).status).toBe(401);
    const res = await call('openrouter', '/api/v1/key', { headers: bearer(keys.openrouter) });
    expect(res.status).toBe(200);
    const { data } = await res.json();
    expect(data).toMatchObject({ limit: null, usage: 0 });
    expect(data.label).not.toBe(keys.openrouter);
  });

  it('xai checks keys on /v1/api-key and deepseek on /user/balance', async () => {
    const xai = await call('xai', '/v1/api-key', { headers: bearer(keys.xai) });
    expect(await xai.json()).toMatchObject({ api_key_blocked: false, api_key_disabled: false });
    const deepseek = await call('deepseek', '/user/balance', { headers: bearer(keys.deepseek) });
    expect(await deepseek.json()).toMatchObject({ is_available: true });
    expect((await call('deepseek', '/user/balance', { headers: bearer(wrongKey('deepseek')) })).status).toBe(401);
  });

  it('openai sends usage last when stream_options.include_usage is set', async () => {
    const res = await post('openai', '/v1/chat/completions', bearer(keys.openai), { model: 'gpt-4o-mini', stream: true,
      stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    const events = sseEvents(await res.text());
    const last = JSON.parse(events.at(-2)!.data);
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBeGreaterThan(0);
  });

  it('a key added with models lists only those and refuses the others', async () => {
    const key = fakeKey('openai');
    fake.addKey(key, { models: ['gpt-only'] });
    const list = await call('openai', '/v1/models', { headers: bearer(key) });
    expect((await list.json()).data.map((m: Json) => m.id)).toEqual(['gpt-only']);
    const refused = await post('openai', '/v1/chat/completions', bearer(key),
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(refused.status).toBe(404);
    expect((await refused.json()).error.code).toBe('model_not_found');
  });
});

describe('recording', () => {
  it('records every request, preflights included, without the id prefix', async () => {
    await call('openai', '/v1/models', { method: 'OPTIONS', headers: { origin: 'http://app.test',
      'access-control-request-method': 'GET' } });
    await post('google', '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      { 'X-Goog-Api-Key': keys.google }, { contents: [{ parts: [{ text: 'hi' }] }] });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]).toMatchObject({ provider: 'openai', method: 'OPTIONS', path: '/v1/models' });
    const streamed = fake.requests[1]!;
    expect(streamed).toMatchObject({ provider: 'google', method: 'POST', query: 'alt=sse',
      path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent' });
    expect(streamed.headers['x-goog-api-key']).toBe(keys.google);
    expect(JSON.parse(streamed.body)).toEqual({ contents: [{ parts: [{ text: 'hi' }] }] });
    expect(streamed.time).toBeGreaterThan(Date.now() - 10_000);
    fake.reset();
    expect(fake.requests).toHaveLength(0);
  });

  it('answers a body over 10 MB with 413', async () => {
    const big = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(11 * 1024 * 1024) }] });
    const res = await post('openai', '/v1/chat/completions', bearer(keys.openai), big);
    expect(res.status).toBe(413);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('one-shot overrides', () => {
  const models = () => call('openai', '/v1/models', { headers: bearer(keys.openai) });

  it('sends a given status and body once, then answers normally again', async () => {
    fake.nextResponse('openai', { status: 502, body: 'upstream exploded', headers: { 'x-extra': '1' } });
    const first = await models();
    expect([first.status, await first.text(), first.headers.get('x-extra')]).toEqual([502, 'upstream exploded', '1']);
    expect((await models()).status).toBe(200);
  });

  it("answers a bare status in the provider's own error shape", async () => {
    fake.nextResponse('anthropic', { status: 529 });
    const res = await call('anthropic', '/v1/models', { headers: { 'x-api-key': keys.anthropic, 'anthropic-version': '1' } });
    expect(res.status).toBe(529);
    expect((await res.json()).error.type).toBe('overloaded_error');
  });

  it('is not consumed by a preflight', async () => {
    fake.nextResponse('openai', { status: 500 });
    expect((await call('openai', '/v1/models', { method: 'OPTIONS' })).status).toBe(204);
    expect((await models()).status).toBe(500);
  });

  it('echoes the full key into the error body when asked (leak tests)', async () => {
    fake.nextResponse('openai', { status: 401, echoKey: true });
    expect(await (await models()).text()).toContain(keys.openai);
    fake.nextResponse('google', { status: 400, body: { error: { message: 'bad key {{key}}' } }, echoKey: true });
    const res = await call('google', '/v1beta/models', { headers: { 'x-goog-api-key': keys.google } });
    expect((await res.json()).error.message).toBe(`bad key ${keys.google}`);
  });

  it('delays, and hangs until the client gives up', async () => {
    fake.nextResponse('openai', { delayMs: 150 });
    const started = performance.now();
    expect((await models()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    fake.nextResponse('openai', { hang: true });
    await expect(call('openai', '/v1/models', { headers: bearer(keys.openai), signal: AbortSignal.timeout(200) }))
      .rejects.toThrow();
    expect((await models()).status).toBe(200);
  });
});

describe('streaming timing', () => {
  it('flushes each piece as it is produced, setStreamDelay apart', async () => {
    fake.setStreamDelay(60);
    const res = await post('openai', '/v1/chat/completions', bearer(keys.openai),
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'one two three' }] });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const arrivals: { at: number; text: string }[] = [];
    const started = performance.now();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push({ at: performance.now() - started, text: decoder.decode(value, { stream: true }) });
    }
    const pieces = splitCount(arrivals.map((a) => a.text).join(''));
    expect(pieces).toBeGreaterThanOrEqual(3);
    // Separate reads, spread over time: the first piece arrives long before the last.
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThanOrEqual((pieces - 1) * 60 * 0.8);
  });
});

/** Number of content pieces in an OpenAI stream. */
function splitCount(raw: string): number {
  return cases.find((c) => c.id === 'openai')!.streamPieces(raw).length;
}

describe('the CLI, for shell rigs', () => {
  it('prints its URL as one JSON line, takes keys, and is steered over /_fake/', async () => {
    const cli = spawn(process.execPath, [fileURLToPath(new URL('./support/fake-provider-cli.mjs', import.meta.url)),
      '--port', '0', '--valid-key', keys.openai, '--forbidden-key', forbiddenKey], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(cli, 'exit');
    try {
      const [line] = (await once(createInterface({ input: cli.stdout! }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const models = (key: string) => fetch(`${url}/openai/v1/models`, { headers: bearer(key) });
      expect((await models(keys.openai)).status).toBe(200);
      expect((await models(forbiddenKey)).status).toBe(403);
      await fetch(`${url}/_fake/next-response`, { method: 'POST', body: JSON.stringify({ provider: 'openai', status: 429 }) });
      expect((await models(keys.openai)).status).toBe(429);
      const recorded = await (await fetch(`${url}/_fake/requests?provider=openai`)).json();
      expect(recorded.map((r: Json) => r.path)).toEqual(['/v1/models', '/v1/models', '/v1/models']);
    } finally {
      cli.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });
});

describe('robustness', () => {
  it('survives garbage on the wire and keeps serving', async () => {
    const { port } = new URL(fake.url);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end('\x00\x01 NOT HTTP AT ALL\r\n\r\n'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
    const res = await fetch(`${fake.url}/nope/v1/models`);
    expect(res.status).toBe(404);
    expect((await call('openai', '/v1/models', { headers: bearer(keys.openai) })).status).toBe(200);
  });

  it('close() ends hanging requests at once', async () => {
    const other = await startFakeProvider();
    other.nextResponse('openai', { hang: true });
    const pending = fetch(other.baseUrl('openai') + '/v1/models').then((r) => r.status, () => 'closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await other.close();
    expect(await pending).toBe('closed');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
