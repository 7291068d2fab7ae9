// The browser page's conversation, end to end in Chromium against the fake provider: a conversation belongs to
// one key, nothing a provider echoes back shows the key, the key form never disagrees with the key in use, the
// preselected model is one the key can use, and the status line says what is true in each storage mode.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  fakeAnswer,
  keyEchoForms,
  KEY_ECHO_FORMS,
  startFakeProvider,
  type FakeProvider,
  type ProviderId,
} from './support/fake-provider.mjs';
import {
  AUTH_HEADER,
  fakeKey,
  generatePage,
  keyPlaces,
  launchChromium,
  openWatchedPage,
  pageTraces,
  removeGeneratedPages,
  serveDirectory,
  type PageWatch,
} from './support/browser-page.js';

let fake: FakeProvider;
let browser: Browser;
const served: Record<'multi' | 'memory' | 'session', { url: string; close(): Promise<void> }> = {} as never;

let context: BrowserContext;
let page: Page;
let watch: PageWatch;
let keys: string[];

beforeAll(async () => {
  fake = await startFakeProvider();
  const [multi, memory, session] = await Promise.all([
    generatePage({ providers: ['openai', 'anthropic', 'google', 'mistral'], fake }),
    generatePage({ providers: ['openai'], fake, storage: 'memory' }),
    generatePage({ providers: ['openai'], fake, storage: 'session' }),
  ]);
  served.multi = await serveDirectory(multi.dir);
  served.memory = await serveDirectory(memory.dir);
  served.session = await serveDirectory(session.dir);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const server of Object.values(served)) await server?.close();
  await fake?.close();
  removeGeneratedPages();
});

beforeEach(() => {
  fake.reset();
  fake.setStreamDelay(0);
  keys = [];
});

afterEach(async () => {
  const consoleText = watch.console.join('\n');
  await context?.close();
  expect(watch.violations, 'CSP violations').toEqual([]);
  expect(watch.errors, 'uncaught page errors').toEqual([]);
  for (const key of keys) {
    expect(consoleText.includes(key), 'key in the console').toBe(false);
    for (const request of fake.requests.filter((r) => r.method !== 'OPTIONS' && keyPlaces([r], key).length)) {
      expect(keyPlaces([request], key)).toEqual([AUTH_HEADER[request.provider as ProviderId]]);
    }
  }
});

async function open(url: string): Promise<void> {
  ({ context, page, watch } = await openWatchedPage(browser));
  await page.goto(url);
}

function newKey(provider: ProviderId, options: Parameters<FakeProvider['addKey']>[1] = {}): string {
  const key = fakeKey(provider);
  keys.push(key);
  fake.addKey(key, options);
  return key;
}

async function saveKey(provider: ProviderId, key: string): Promise<void> {
  if (await page.getByLabel('Provider').count()) await page.getByLabel('Provider').selectOption(provider);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Using your/);
}

async function ask(prompt: string): Promise<void> {
  await page.getByLabel('Prompt', { exact: true }).fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Send' }).isEnabled(), { timeout: 10_000 }).toBe(true);
}

const answers = () => page.locator('.turn.assistant .answer').allTextContents();
const chatBodies = (provider: ProviderId) =>
  fake.requests.filter((r) => r.provider === provider && r.method === 'POST').map((r) => r.body);

describe('a conversation belongs to one key', () => {
  it('Forget key clears the conversation: the next key’s provider receives none of it, and none of it stays on screen', async () => {
    await open(served.multi.url);
    await saveKey('openai', newKey('openai'));
    // Another key, pasted into a prompt (it goes to the provider in the body, as any prompt does).
    const pasted = fakeKey('anthropic');
    await ask('my private question');
    await ask(`here is another key of mine: ${pasted}`);
    expect(await answers()).toHaveLength(2);

    await page.getByRole('button', { name: 'Forget key' }).click();
    const traces = await pageTraces(page, context);
    expect(traces).not.toContain('my private question');
    expect(traces).not.toContain(pasted);
    expect(await page.locator('#transcript').textContent()).toBe('');

    await saveKey('anthropic', newKey('anthropic'));
    expect(await page.getByRole('log').textContent()).toBe('');
    await ask('hello again');
    const [body] = chatBodies('anthropic');
    expect(JSON.parse(body!).messages).toEqual([{ role: 'user', content: 'hello again' }]);
    expect(await answers()).toEqual([fakeAnswer('anthropic', 'hello again')]);
  });
  it('Forget key clears the instructions too: the next key’s provider does not receive them', async () => {
    await open(served.multi.url);
    await saveKey('openai', newKey('openai'));
    await page.getByText('Instructions for the assistant (optional)').click();
    await page.getByLabel('Instructions', { exact: true }).fill('I am private, answer in French');
    await ask('hello');
    expect(chatBodies('openai')[0]).toContain('I am private');

    await page.getByRole('button', { name: 'Forget key' }).click();
    expect(await pageTraces(page, context)).not.toContain('I am private');
    await saveKey('anthropic', newKey('anthropic'));
    await ask('hello again');
    expect(JSON.parse(chatBodies('anthropic')[0]!)).not.toHaveProperty('system');
  });
});

describe('what a provider echoes is redacted before it is shown', () => {
  /** Records every text the conversation log shows while an answer streams. */
  async function recordTranscript(): Promise<() => Promise<string[]>> {
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const log = document.querySelector('[role="log"]')!;
      new MutationObserver(() => seen.push(log.textContent ?? '')).observe(log, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    return () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  }

  it.each(['anthropic', 'openai', 'google'] as const)(
    '%s: the key raw, JSON-escaped, \\u-escaped, URL-encoded and in base64, cut across pieces, never reaches the page',
    async (provider) => {
      await open(served.multi.url);
      const key = newKey(provider);
      await saveKey(provider, key);
      const seen = await recordTranscript();
      fake.setStreamDelay(5);
      fake.nextResponse(provider, { echoKeyInStream: true });
      await ask('what is my key?');

      const [answer] = await answers();
      expect(answer).toMatch(/^Echo: raw <\[redacted\]>, json <\[redacted\]>, json-unicode <\[redacted\]>, url <\[redacted\]>, base64 <[\w+/=]{0,8}\[redacted\][\w+/=]{0,4}>\.$/);
      // Nor any beginning of a form, while it streamed: a piece ending halfway through the key is held back.
      const forms = Object.values(keyEchoForms(key));
      const snapshots = await seen();
      expect(snapshots.length).toBeGreaterThan(10);
      for (const text of snapshots) {
        expect(text).not.toContain(key.slice(0, 10));
        for (const form of forms.slice(1)) expect(text).not.toContain(form.slice(0, 18));
      }
      expect(await pageTraces(page, context)).not.toContain(key);
      expect(KEY_ECHO_FORMS).toHaveLength(5);
      // Copy answer copies the answer as redacted as it is shown.
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(served.multi.url).origin });
      await page.getByRole('button', { name: 'Copy answer' }).click();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied.match(/\[redacted\]/g)).toHaveLength(5);
      for (const form of forms) expect(copied).not.toContain(form);
    },
  );

  it('a key with characters JSON escapes (" \\ /) and no shape (Mistral) is redacted in every form too', async () => {
    await open(served.multi.url);
    const key = `fake${fakeKey('mistral').slice(4, 20)}/"\\${fakeKey('mistral').slice(4, 16)}`;
    keys.push(key);
    fake.addKey(key);
    await saveKey('mistral', key);
    fake.nextResponse('mistral', { echoKeyInStream: true });
    await ask('echo it');
    const [answer] = await answers();
    for (const form of Object.values(keyEchoForms(key))) expect(answer).not.toContain(form);
    expect(answer!.match(/\[redacted\]/g)).toHaveLength(5);
    expect(await pageTraces(page, context)).not.toContain(key);
  });
  it('a key in the reason an answer ended (stop_reason, finish_reason) is redacted in the note after the answer', async () => {
    await open(served.multi.url);
    const key = newKey('openai');
    await saveKey('openai', key);
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    fake.nextResponse('openai', { status: 200, body: chunk({ content: 'Hi' }, null) + chunk({}, '{{key}}') + 'data: [DONE]\n\n', echoKey: true });
    await ask('how did it end?');
    expect(await page.getByRole('log').textContent()).toContain('[ended: [redacted]]');
    expect(await pageTraces(page, context)).not.toContain(key);
  });

  it('a model list that carries the key is not shown: the key stays out of the Model choices and the page', async () => {
    await open(served.multi.url);
    const key = newKey('openai');
    fake.nextResponse('openai', { status: 200, body: { object: 'list', data: [{ id: '{{key}}' }, { id: 'x-{{key}}' }, { id: 'gpt-4.1' }] }, echoKey: true });
    await saveKey('openai', key);
    expect(await page.getByLabel('Model').locator('option').allTextContents()).toEqual(['gpt-4.1']);
    expect(await pageTraces(page, context)).not.toContain(key);
  });
});

describe('the key form and the key in use agree', () => {
  it('while a key is in use the provider choice is not offered: status, requests and the chat stay with that key', async () => {
    await open(served.multi.url);
    await saveKey('anthropic', newKey('anthropic'));
    expect(await page.getByLabel('Provider').isVisible()).toBe(false);
    expect(await page.getByLabel('API key').isVisible()).toBe(false);
    expect(await page.getByRole('status').textContent()).toMatch(/^Using your Anthropic key …/);
    await ask('which provider?');
    expect(await answers()).toEqual([fakeAnswer('anthropic', 'which provider?')]);

    // Forget key offers the choice again, for the next key.
    await page.getByRole('button', { name: 'Forget key' }).click();
    expect(await page.getByLabel('Provider').isVisible()).toBe(true);
    await page.getByLabel('Provider').selectOption('google');
    expect(await page.getByLabel('API key').getAttribute('placeholder')).toBe('AIza…');
  });

  it('preselects a model from the key’s own list when the catalog default is not in it; the first message works', async () => {
    await open(served.multi.url);
    await saveKey('openai', newKey('openai', { models: ['gpt-4.1', 'gpt-5-mini'] }));
    expect(await page.getByLabel('Model').locator('option').allTextContents()).toEqual(['gpt-4.1', 'gpt-5-mini']);
    // The catalog default is gpt-5.4-mini: the nearest listed name is preselected.
    expect(await page.getByLabel('Model').inputValue()).toBe('gpt-5-mini');
    await ask('first message');
    expect(await page.locator('#chat-error').textContent()).toBe('');
    expect(await answers()).toEqual([fakeAnswer('openai', 'first message')]);
  });
});

describe('the status line says what is true in each storage mode', () => {
  it('memory: the key is in use, kept in this tab’s memory only (not “saved”)', async () => {
    await open(served.memory.url);
    const key = newKey('openai');
    await saveKey('openai', key);
    const status = await page.getByRole('status').textContent();
    expect(status).toBe(`Using your OpenAI key …${key.slice(-4)}, kept in this tab’s memory only: reloading or closing the page forgets it.`);
    expect(status).not.toMatch(/saved/i);
  });

  it('session: saved for this tab only', async () => {
    await open(served.session.url);
    const key = newKey('openai');
    await saveKey('openai', key);
    expect(await page.getByRole('status').textContent()).toBe(
      `Using your OpenAI key …${key.slice(-4)}, saved for this tab only: closing the tab forgets it.`,
    );
  });
});
