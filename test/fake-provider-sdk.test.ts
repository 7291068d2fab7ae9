// The official SDKs, streaming included, talk to the fake provider unchanged: only their base URL points at it.
// This is the footing of the proxy tests, which put a proxy between these SDKs and the fake.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeKey } from './support/fake-keys.js';
import { DEFAULT_MODELS, fakeAnswer, PROVIDER_IDS, startFakeProvider, type FakeProvider, type ProviderId } from './support/fake-provider.mjs';

// One fake key per provider, in its shape, fresh for this run (test/support/fake-keys.ts).
const keys = Object.fromEntries(PROVIDER_IDS.map((id) => [id, fakeKey(id)])) as Record<ProviderId, string>;
const wrong = (key: string) => key.slice(0, -6) + 'wrong1';

let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider();
  for (const key of Object.values(keys)) fake.addKey(key);
  fake.setStreamDelay(5);
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('@anthropic-ai/sdk', () => {
  const client = (apiKey = keys.anthropic) =>
    new Anthropic({ apiKey, baseURL: fake.baseUrl('anthropic'), maxRetries: 0 });
  const params = { model: DEFAULT_MODELS.anthropic[0]!, max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

  it('lists models and creates a message', async () => {
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toContain('claude-haiku-4-5-20251001');
    const message = await client().messages.create(params);
    expect(message.content).toEqual([{ type: 'text', text: fakeAnswer('anthropic', 'hi') }]);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('streams with the MessageStream helpers', async () => {
    const texts: string[] = [];
    const stream = client().messages.stream(params).on('text', (text) => texts.push(text));
    expect(await stream.finalText()).toBe(fakeAnswer('anthropic', 'hi'));
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expect((await stream.finalMessage()).usage.output_tokens).toBe(texts.length);
  });

  it('streams raw events with stream: true', async () => {
    const events = await client().messages.create({ ...params, stream: true });
    const types: string[] = [];
    for await (const event of events) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
  });

  it('sends its key as Bearer with an anthropic-version, and gets AuthenticationError for a wrong key', async () => {
    await client().models.list();
    const sent = fake.requests.at(-1)!.headers;
    expect(sent.authorization ?? `x-api-key ${sent['x-api-key']}`).toMatch(new RegExp(`${keys.anthropic}$`));
    expect(sent['anthropic-version']).toBeTruthy();
    const error = await client(wrong(keys.anthropic)).models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).requestID).toMatch(/^req_/);
  });
});

describe('openai SDK against OpenAI and the OpenAI-compatible providers', () => {
  const bases: Record<Exclude<ProviderId, 'anthropic' | 'google'>, string> = {
    openai: '/v1', mistral: '/v1', groq: '/openai/v1', openrouter: '/api/v1', xai: '/v1', deepseek: '',
  };
  const client = (id: keyof typeof bases, apiKey: string = keys[id]) =>
    new OpenAI({ apiKey, baseURL: fake.baseUrl(id) + bases[id], maxRetries: 0 });
  const params = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });

  it.each(Object.keys(bases) as (keyof typeof bases)[])('%s: models, chat and a stream', async (id) => {
    const models = await client(id).models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const model = models.data[0]!.id;

    const completion = await client(id).chat.completions.create(params(model));
    expect(completion.choices[0]!.message.content).toBe(fakeAnswer(id, 'hi'));

    const stream = await client(id).chat.completions.create({ ...params(model), stream: true });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      chunks += 1;
    }
    expect(text).toBe(fakeAnswer(id, 'hi'));
    expect(chunks).toBeGreaterThanOrEqual(3);
  });

  it('the stream helper gives the final completion', async () => {
    const runner = client('openai').chat.completions.stream(params('gpt-4o-mini'));
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe(fakeAnswer('openai', 'hi'));
  });

  it('a wrong key is an AuthenticationError (xAI: a BadRequestError, as the real API answers 400)', async () => {
    const openai = await client('openai', wrong(keys.openai)).models.list().catch((e: unknown) => e);
    expect(openai).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((openai as Error).message).not.toContain(wrong(keys.openai));
    const xai = await client('xai', wrong(keys.xai)).models.list().catch((e: unknown) => e);
    expect(xai).toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('@google/genai', () => {
  const client = (apiKey = keys.google) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake.baseUrl('google') } });

  it('lists models, generates and counts tokens', async () => {
    const pager = await client().models.list();
    expect(pager.page.map((m) => m.name)).toContain('models/gemini-2.5-flash');
    const response = await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(response.text).toBe(fakeAnswer('google', 'hi'));
    const count = await client().models.countTokens({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(count.totalTokens).toBeGreaterThan(0);
  });

  it('streams over SSE', async () => {
    const stream = await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.text ?? '');
    expect(pieces.join('')).toBe(fakeAnswer('google', 'hi'));
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(fake.requests.at(-1)).toMatchObject({ query: 'alt=sse',
      path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent' });
  });

  it('sends the key in x-goog-api-key, never in the URL, and gets ApiError 400 for a wrong key', async () => {
    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    const error = await client(wrong(keys.google)).models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain('API_KEY_INVALID');
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of fake.requests) {
      expect(request.query).not.toMatch(/(^|&)key=/);
      expect(request.headers['x-goog-api-key']).toBeTruthy();
    }
  });
});
