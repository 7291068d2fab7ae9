// End to end: the official SDKs, unchanged, talk to the generated Worker (run by `wrangler dev` in workerd on this
// machine, on Node 22) in front of the fake provider, streaming included. Only the base URL changes; the fake must
// see each key in its auth header only, and no output of the Worker or of wrangler may show a key.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, fakeAnswer, startFakeProvider, type FakeProvider, type RecordedRequest } from './support/fake-provider.mjs';
import { distinctiveKey, leakedParts } from './support/proxy-run.js';
import { generateWorker, startWorkerDev, type RunningWorker } from './support/worker-run.js';

const providers = ['anthropic', 'openai', 'google', 'groq'] as const;
const keys = Object.fromEntries(providers.map((id) => [id, distinctiveKey(id)])) as Record<(typeof providers)[number], string>;
/** Keys sent that the fake does not know, or that were refused: they must not leak either. */
const otherKeys: string[] = [];

let fake: FakeProvider;
let worker: RunningWorker;
let cleanup: () => void;

beforeAll(async () => {
  fake = await startFakeProvider();
  for (const key of Object.values(keys)) fake.addKey(key);
  fake.setStreamDelay(2);
  const generated = await generateWorker([...providers], { fake });
  cleanup = generated.cleanup;
  worker = await startWorkerDev(generated.dir, { RATE_LIMIT_BURST: '1000', IP_RATE_LIMIT_BURST: '1000' });
}, 300_000);
afterAll(async () => {
  await worker?.stop();
  await fake?.close();
  cleanup?.();
});
beforeEach(() => fake.reset());

/** The fake saw every request with the key in exactly one header, the expected one, and nowhere else. */
function expectKeyOnlyIn(header: string, key: string, requests: RecordedRequest[]) {
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) {
    const carriers = Object.entries(request.headers).filter(([, value]) => String(value).includes(key));
    expect(carriers.map(([name]) => name)).toEqual([header]);
    expect(leakedParts(`${request.path}?${request.query}`, key)).toEqual([]);
    expect(leakedParts(request.body, key)).toEqual([]);
  }
}

describe('@anthropic-ai/sdk through the Worker', () => {
  const client = (apiKey = keys.anthropic) => new Anthropic({ apiKey, baseURL: `${worker.url}/anthropic`, maxRetries: 0 });
  const params = { model: DEFAULT_MODELS.anthropic[0]!, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hello edge' }] };

  it('creates a message; the key travels as the SDK sent it', async () => {
    const message = await client().messages.create(params);
    expect(message.content).toEqual([{ type: 'text', text: fakeAnswer('anthropic', 'Hello edge') }]);
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${keys.anthropic}`);
    expectKeyOnlyIn('authorization', keys.anthropic, fake.requests);
  });

  it('streams', async () => {
    const texts: string[] = [];
    const stream = client().messages.stream(params).on('text', (text) => texts.push(text));
    expect(await stream.finalText()).toBe(fakeAnswer('anthropic', 'Hello edge'));
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expectKeyOnlyIn('authorization', keys.anthropic, fake.requests);
  });

  it('surfaces a wrong key as the SDK’s own AuthenticationError', async () => {
    const wrong = distinctiveKey('anthropic');
    otherKeys.push(wrong);
    await expect(client(wrong).messages.create(params)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

describe('openai SDK through the Worker', () => {
  const client = (id: 'openai' | 'groq', base: string) => new OpenAI({ apiKey: keys[id], baseURL: `${worker.url}/${id}${base}`, maxRetries: 0 });

  it('creates a chat completion and streams one', async () => {
    const openai = client('openai', '/v1');
    const model = DEFAULT_MODELS.openai[0]!;
    const completion = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello edge' }] });
    expect(completion.choices[0]!.message.content).toBe(fakeAnswer('openai', 'Hello edge'));

    const stream = await openai.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'Stream it' }] });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      chunks += 1;
    }
    expect(text).toBe(fakeAnswer('openai', 'Stream it'));
    expect(chunks).toBeGreaterThanOrEqual(3);
    expectKeyOnlyIn('authorization', keys.openai, fake.requests);
  });

  it('works for an OpenAI-compatible provider under its own prefix (Groq: /groq/openai/v1)', async () => {
    const completion = await client('groq', '/openai/v1').chat.completions.create({
      model: DEFAULT_MODELS.groq[0]!,
      messages: [{ role: 'user', content: 'Hi Groq' }],
    });
    expect(completion.choices[0]!.message.content).toBe(fakeAnswer('groq', 'Hi Groq'));
    expect(fake.requests.at(-1)!.path).toBe('/openai/v1/chat/completions');
    expectKeyOnlyIn('authorization', keys.groq, fake.requests);
  });

  it('refuses a path off the allowlist with the SDK’s NotFoundError, without calling the provider', async () => {
    await expect(client('openai', '/v1').fineTuning.jobs.list()).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(fake.requests).toEqual([]);
  });
});

describe('@google/genai through the Worker', () => {
  const ai = () => new GoogleGenAI({ apiKey: keys.google, httpOptions: { baseUrl: `${worker.url}/google` } });
  const model = DEFAULT_MODELS.google[0]!;

  it('generates content and streams it, with the key in x-goog-api-key and never in the URL', async () => {
    const response = await ai().models.generateContent({ model, contents: 'Hello edge' });
    expect(response.text).toBe(fakeAnswer('google', 'Hello edge'));

    let text = '';
    let chunks = 0;
    for await (const chunk of await ai().models.generateContentStream({ model, contents: 'Stream it' })) {
      text += chunk.text ?? '';
      chunks += 1;
    }
    expect(text).toBe(fakeAnswer('google', 'Stream it'));
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(fake.requests.map((request) => request.path)).toEqual([
      `/v1beta/models/${model}:generateContent`,
      `/v1beta/models/${model}:streamGenerateContent`,
    ]);
    expect(fake.requests[1]!.query).toBe('alt=sse');
    expectKeyOnlyIn('x-goog-api-key', keys.google, fake.requests);
  });

  it('refuses a key in the URL with 400, and never forwards it', async () => {
    const response = await fetch(`${worker.url}/google/v1beta/models?key=${keys.google}`);
    expect(response.status).toBe(400);
    expect(leakedParts(await response.text(), keys.google)).toEqual([]);
    expect(fake.requests).toEqual([]);
  });
});

describe('what reaches the provider', () => {
  it('only allowlisted request headers and the key: not the client’s address, cookies or overrides', async () => {
    const response = await fetch(`${worker.url}/openai/v1/models`, {
      headers: {
        authorization: `Bearer ${keys.openai}`,
        cookie: 'session=secret',
        'x-forwarded-for': '203.0.113.9',
        'cf-connecting-ip': '203.0.113.10',
        'x-http-method-override': 'DELETE',
        'x-stainless-lang': 'js',
        'openai-organization': 'org-test',
      },
    });
    expect(response.status).toBe(200);
    const seen = fake.requests.at(-1)!.headers;
    for (const name of ['cookie', 'x-forwarded-for', 'x-http-method-override', 'x-real-ip', 'true-client-ip']) expect(seen[name], name).toBeUndefined();
    // CF-Worker names the Worker's own zone (the runtime adds it to every request a Worker makes): nothing of the client.
    expect(Object.keys(seen).filter((name) => name.startsWith('cf-'))).toEqual(['cf-worker']);
    expect(JSON.stringify(seen)).not.toContain('203.0.113');
    expect(seen['x-stainless-lang']).toBe('js');
    expect(seen['openai-organization']).toBe('org-test');
  });
});

describe('what the provider answers', () => {
  it('a redirect is neither followed nor passed on: 502', async () => {
    fake.nextResponse('openai', { status: 302, headers: { location: `${fake.url}/collect` }, body: '' });
    const response = await fetch(`${worker.url}/openai/v1/models`, { headers: { authorization: `Bearer ${keys.openai}` } });
    expect(response.status).toBe(502);
    expect(response.headers.get('location')).toBeNull();
    expect(fake.requests.map((request) => request.path)).toEqual(['/v1/models']);
  });

  it('an error body echoing the key comes back without it', async () => {
    fake.nextResponse('openai', { status: 401, echoKey: true });
    const response = await fetch(`${worker.url}/openai/v1/models`, { headers: { authorization: `Bearer ${keys.openai}` } });
    expect(response.status).toBe(401);
    expect(leakedParts(await response.text(), keys.openai)).toEqual([]);
  });
});

describe('key check', () => {
  it('answers valid, invalid and forbidden from the provider’s cheapest call', async () => {
    const forbidden = distinctiveKey('google');
    const invalid = distinctiveKey('google');
    otherKeys.push(forbidden, invalid);
    fake.addKey(forbidden, { status: 'forbidden' });
    const check = async (id: string, headers: Record<string, string>) =>
      (await fetch(`${worker.url}/${id}/byok/validate`, { method: 'POST', headers })).json();
    expect(await check('anthropic', { 'x-api-key': keys.anthropic })).toEqual({ valid: true, provider: 'anthropic', reason: 'valid' });
    expect(await check('google', { 'x-goog-api-key': invalid })).toEqual({ valid: false, provider: 'google', reason: 'invalid' });
    expect(await check('google', { 'x-goog-api-key': forbidden })).toEqual({ valid: false, provider: 'google', reason: 'forbidden' });
  });
});

describe('the Worker’s own output', () => {
  it('never shows a key, only fingerprints', async () => {
    const output = worker.stdout() + worker.stderr();
    for (const key of [...Object.values(keys), ...otherKeys]) expect(leakedParts(output, key)).toEqual([]);
    const fingerprints = worker.requestLog().map((entry) => entry.keyFingerprint).filter(Boolean);
    expect(fingerprints.length).toBeGreaterThan(5);
    for (const fingerprint of fingerprints) expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });
});
