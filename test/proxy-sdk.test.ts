// End to end: the official SDKs, unchanged, talk to the generated proxy (a real `node server.js`) in front of the
// fake provider, streaming included. Only the base URL changes; the fake must see each key in its auth header
// only, never in a URL or a body.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, fakeAnswer, spellKeys, startFakeProvider, type FakeProvider, type RecordedRequest } from './support/fake-provider.mjs';
import { distinctiveKey, generateProxy, leakedParts, startProxyProcess, type RunningProxy } from './support/proxy-run.js';

const providers = ['anthropic', 'openai', 'google', 'groq'] as const;
const keys = Object.fromEntries(providers.map((id) => [id, distinctiveKey(id)])) as Record<(typeof providers)[number], string>;

let fake: FakeProvider;
let proxy: RunningProxy;
let cleanup: () => void;

beforeAll(async () => {
  fake = await startFakeProvider();
  for (const key of Object.values(keys)) fake.addKey(key);
  fake.setStreamDelay(2);
  const generated = await generateProxy([...providers], { fake });
  cleanup = generated.cleanup;
  proxy = await startProxyProcess(generated.dir, { RATE_LIMIT_BURST: '1000', IP_RATE_LIMIT_BURST: '1000' });
});
afterAll(async () => {
  expect(await proxy?.stop()).toBe(0);
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

describe('@anthropic-ai/sdk through the proxy', () => {
  const client = () => new Anthropic({ apiKey: keys.anthropic, baseURL: `${proxy.url}/anthropic`, maxRetries: 0 });
  const params = { model: DEFAULT_MODELS.anthropic[0]!, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hello proxy' }] };

  it('creates a message; the key travels as the SDK sent it (Authorization: Bearer)', async () => {
    const message = await client().messages.create(params);
    expect(message.content).toEqual([{ type: 'text', text: fakeAnswer('anthropic', 'Hello proxy') }]);
    expectKeyOnlyIn('authorization', keys.anthropic, fake.requests);
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${keys.anthropic}`);
  });

  it('streams', async () => {
    const texts: string[] = [];
    const stream = client().messages.stream(params).on('text', (text) => texts.push(text));
    expect(await stream.finalText()).toBe(fakeAnswer('anthropic', 'Hello proxy'));
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expectKeyOnlyIn('authorization', keys.anthropic, fake.requests);
  });

  it('lists models, and accepts x-api-key from clients that send it', async () => {
    const models = await client().models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const response = await fetch(`${proxy.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': keys.anthropic, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    expect(response.status).toBe(200);
    const last = fake.requests.at(-1)!;
    expect(last.headers['x-api-key']).toBe(keys.anthropic);
    // The proxy added the version header the client left out.
    expect(last.headers['anthropic-version']).toBe('2023-06-01');
    expectKeyOnlyIn('x-api-key', keys.anthropic, [last]);
  });

  it('surfaces a wrong key as the SDK’s own AuthenticationError', async () => {
    const wrong = new Anthropic({ apiKey: distinctiveKey('anthropic'), baseURL: `${proxy.url}/anthropic`, maxRetries: 0 });
    await expect(wrong.messages.create(params)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

describe('openai SDK through the proxy', () => {
  const client = (id: 'openai' | 'groq', base: string) => new OpenAI({ apiKey: keys[id], baseURL: `${proxy.url}/${id}${base}`, maxRetries: 0 });

  it('creates a chat completion and streams one', async () => {
    const openai = client('openai', '/v1');
    const model = DEFAULT_MODELS.openai[0]!;
    const completion = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello proxy' }] });
    expect(completion.choices[0]!.message.content).toBe(fakeAnswer('openai', 'Hello proxy'));

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
    const groq = client('groq', '/openai/v1');
    const completion = await groq.chat.completions.create({ model: DEFAULT_MODELS.groq[0]!, messages: [{ role: 'user', content: 'Hi Groq' }] });
    expect(completion.choices[0]!.message.content).toBe(fakeAnswer('groq', 'Hi Groq'));
    expect(fake.requests.at(-1)!.path).toBe('/openai/v1/chat/completions');
    expectKeyOnlyIn('authorization', keys.groq, fake.requests);
  });

  it('refuses a path off the allowlist with the SDK’s NotFoundError, without calling the provider', async () => {
    await expect(client('openai', '/v1').fineTuning.jobs.list()).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(fake.requests).toEqual([]);
  });
});

describe('@google/genai through the proxy', () => {
  const ai = () => new GoogleGenAI({ apiKey: keys.google, httpOptions: { baseUrl: `${proxy.url}/google` } });
  const model = DEFAULT_MODELS.google[0]!;

  it('generates content and streams it, with the key in x-goog-api-key and never in the URL', async () => {
    const response = await ai().models.generateContent({ model, contents: 'Hello proxy' });
    expect(response.text).toBe(fakeAnswer('google', 'Hello proxy'));

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
});

describe('routes users call beyond chat', () => {
  it('reach the provider: Responses by id and cancel, embeddings, token counts, batches, Gemini embeddings', async () => {
    const openai = new OpenAI({ apiKey: keys.openai, baseURL: `${proxy.url}/openai/v1`, maxRetries: 0 });
    const anthropic = new Anthropic({ apiKey: keys.anthropic, baseURL: `${proxy.url}/anthropic`, maxRetries: 0 });
    const ai = new GoogleGenAI({ apiKey: keys.google, httpOptions: { baseUrl: `${proxy.url}/google`, retryOptions: { attempts: 1 } } });
    // The fake knows only the chat routes and answers the others 404 in the provider's shape: what matters
    // here is that the proxy forwarded them (a refused path never reaches it).
    const calls: Array<() => Promise<unknown>> = [
      () => openai.responses.retrieve('resp_1'),
      () => openai.responses.cancel('resp_1'),
      () => openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' }),
      () => openai.batches.retrieve('batch_1'),
      () => openai.files.content('file-1'),
      () => anthropic.messages.countTokens({ model: DEFAULT_MODELS.anthropic[0]!, messages: [{ role: 'user', content: 'hi' }] }),
      () => anthropic.messages.batches.retrieve('msgbatch_1'),
      () => anthropic.messages.batches.cancel('msgbatch_1'),
      () => ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'hi' }),
    ];
    for (const call of calls) await call().catch(() => undefined);
    expect(fake.requests.map((request) => `${request.method} ${request.provider}${request.path}`)).toEqual([
      'GET openai/v1/responses/resp_1',
      'POST openai/v1/responses/resp_1/cancel',
      'POST openai/v1/embeddings',
      'GET openai/v1/batches/batch_1',
      'GET openai/v1/files/file-1/content',
      'POST anthropic/v1/messages/count_tokens',
      'GET anthropic/v1/messages/batches/msgbatch_1',
      'POST anthropic/v1/messages/batches/msgbatch_1/cancel',
      expect.stringMatching(/^POST google\/v1beta\/models\/gemini-embedding-001:(batchEmbedContents|embedContent)$/),
    ]);
    expectKeyOnlyIn('authorization', keys.openai, fake.requests.filter((request) => request.provider === 'openai'));
    // Logged by pattern where an id stood in the path.
    await expect.poll(() => proxy.requestLog().some((entry) => entry.path === '/v1/responses/**')).toBe(true);
  });
});

describe('a hostile upstream', () => {
  /** A second local server, where a redirect from the provider points: it must never see a request. */
  let elsewhere: http.Server;
  let elsewhereUrl: string;
  const reached: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  beforeAll(async () => {
    elsewhere = http.createServer((req, res) => {
      reached.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as import('node:net').AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));

  it('redirects the SDKs to another server: the proxy answers 502 and nothing reaches the other server', async () => {
    const anthropic = new Anthropic({ apiKey: keys.anthropic, baseURL: `${proxy.url}/anthropic`, maxRetries: 0 });
    const params = { model: DEFAULT_MODELS.anthropic[0]!, max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };
    fake.nextResponse('anthropic', { redirectTo: `${elsewhereUrl}/v1/messages`, status: 307 });
    const refused = await anthropic.messages.create(params).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.InternalServerError);
    expect((refused as InstanceType<typeof Anthropic.APIError>).status).toBe(502);

    // x-api-key, as older clients send it: fetch would keep it across origins.
    fake.nextResponse('anthropic', { redirectTo: `${elsewhereUrl}/v1/messages`, status: 308 });
    const viaHeader = await fetch(`${proxy.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': keys.anthropic, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    expect(viaHeader.status).toBe(502);

    const ai = new GoogleGenAI({
      apiKey: keys.google,
      httpOptions: { baseUrl: `${proxy.url}/google`, retryOptions: { attempts: 1 } },
    });
    fake.nextResponse('google', { redirectTo: `${elsewhereUrl}/v1beta/models/x:generateContent`, status: 307 });
    await expect(ai.models.generateContent({ model: DEFAULT_MODELS.google[0]!, contents: 'hi' })).rejects.toThrow(/502/);

    expect(reached).toEqual([]);
    const redirects = () => proxy.requestLog().filter((entry) => entry.error === 'upstream_redirect');
    await expect.poll(() => redirects().map((entry) => [entry.provider, entry.status, entry.level])).toEqual([
      ['anthropic', 502, 'error'],
      ['anthropic', 502, 'error'],
      ['google', 502, 'error'],
    ]);
  });

  it('echoes the key in headers and in escaped error bodies: the SDK sees none of it', async () => {
    const openai = new OpenAI({ apiKey: keys.openai, baseURL: `${proxy.url}/openai/v1`, maxRetries: 0 });
    fake.nextResponse('openai', {
      status: 401,
      echoKey: true,
      headers: {
        'www-authenticate': 'Bearer error="invalid_token", token="{{key}}"',
        'x-debug-key': '{{key:base64}}',
        'x-debug-basic': 'Basic {{key:basic}}',
      },
      body: { error: { message: 'bad key {{key:json-unicode}} {{key:json-unicode-lower}} {{key:percent}} {{key:url}}', type: 'invalid_request_error' } },
    });
    const error = (await openai.models.list().catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const seen = JSON.stringify({ message: error.message, error: error.error, headers: [...(error.headers as Headers)] });
    expect(seen).toContain('[redacted]');
    for (const spelling of ['{{key}}', '{{key:base64}}', '{{key:basic}}', '{{key:json-unicode}}', '{{key:percent}}']) {
      const spelled = spellKeys(spelling, keys.openai);
      expect(seen.includes(spelled) || seen.includes(JSON.stringify(spelled).slice(1, -1)), spelling).toBe(false);
    }
    expect(leakedParts(seen, keys.openai)).toEqual([]);
  });
});

describe('key check', () => {
  it('answers valid, invalid and forbidden from the provider’s cheapest call', async () => {
    const forbidden = distinctiveKey('google');
    fake.addKey(forbidden, { status: 'forbidden' });
    const check = async (id: string, headers: Record<string, string>) => {
      const response = await fetch(`${proxy.url}/${id}/byok/validate`, { method: 'POST', headers });
      return response.json();
    };
    expect(await check('anthropic', { 'x-api-key': keys.anthropic })).toEqual({ valid: true, provider: 'anthropic', reason: 'valid' });
    expect(await check('google', { 'x-goog-api-key': distinctiveKey('google') })).toEqual({ valid: false, provider: 'google', reason: 'invalid' });
    expect(await check('google', { 'x-goog-api-key': forbidden })).toEqual({ valid: false, provider: 'google', reason: 'forbidden' });
    expect(fake.requests.map((request) => `${request.method} ${request.provider}${request.path}`)).toEqual([
      'GET anthropic/v1/models',
      'GET google/v1beta/models',
      'GET google/v1beta/models',
    ]);
  });
});

describe('the proxy’s own output', () => {
  it('never shows a key, only fingerprints', async () => {
    const output = proxy.stdout() + proxy.stderr();
    for (const key of Object.values(keys)) expect(leakedParts(output, key)).toEqual([]);
    const fingerprints = proxy.requestLog().map((entry) => entry.keyFingerprint).filter(Boolean);
    expect(fingerprints.length).toBeGreaterThan(5);
    for (const fingerprint of fingerprints) expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });
});
