// The browser page as a chat people keep open, in Chromium against the fake provider, by accessible names:
// answers rendered as Markdown (built as DOM nodes, hostile ones inert and bounded), Copy, New chat, optional
// instructions, Enter to send, the prompt reachable on a phone, words for newcomers, plain error messages.
// axe-core checks every state it reaches.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fakeAnswer, startFakeProvider, type FakeProvider, type ProviderId } from './support/fake-provider.mjs';
import {
  AUTH_HEADER,
  expectNoAxeViolations,
  fakeKey,
  generatePage,
  keyPlaces,
  launchChromium,
  openWatchedPage,
  removeGeneratedPages,
  serveDirectory,
  type PageWatch,
} from './support/browser-page.js';
import { findProvider } from '../src/providers/index.js';

const PROVIDERS: ProviderId[] = ['anthropic', 'openai', 'google'];

let fake: FakeProvider;
let browser: Browser;
let served: { url: string; close(): Promise<void> };

let context: BrowserContext;
let page: Page;
let watch: PageWatch;
let keys: string[];

beforeAll(async () => {
  fake = await startFakeProvider();
  const generated = await generatePage({ providers: PROVIDERS, fake, storage: 'session' });
  served = await serveDirectory(generated.dir);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
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

async function open(viewport?: { width: number; height: number }): Promise<void> {
  ({ context, page, watch } = await openWatchedPage(browser));
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(served.url);
}

async function ready(provider: ProviderId = 'openai'): Promise<string> {
  const key = fakeKey(provider);
  keys.push(key);
  fake.addKey(key);
  await page.getByLabel('Provider').selectOption(provider);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Using your/);
  return key;
}

async function ask(prompt: string): Promise<void> {
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Send' }).isEnabled(), { timeout: 15_000 }).toBe(true);
}

/** A streamed OpenAI answer with this exact text, in pieces of `size` characters. */
function streamed(text: string, size = 40) {
  const pieces = text.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? [''];
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return {
    headers: { 'content-type': 'text/event-stream' },
    body: pieces.map((content) => chunk({ content }, null)).join('') + chunk({}, 'stop') + 'data: [DONE]\n\n',
  };
}

const lastAnswer = () => page.locator('.turn.assistant .answer').last();

describe('answers rendered as Markdown, built as DOM nodes', () => {
  const MARKDOWN = [
    '# Plan',
    '',
    'Some **bold**, *emphasis*, ~~gone~~ and `inline <b>code</b>` text, snake_case_name kept.',
    '',
    '## Steps',
    '',
    '1. First [the docs](https://example.com/docs "Docs")',
    '2. Second, with a nested list:',
    '   - inner one',
    '   - inner two',
    '',
    '> quoted **words**',
    '',
    '```js',
    'const answer = 1 < 2 && "<script>";',
    '```',
    '',
    '| Name | Price |',
    '| :--- | ----: |',
    '| tea | 2 |',
    '',
    'See https://example.org/page.',
  ].join('\n');

  it('paragraphs, emphasis, headings, lists, links, code with a Copy button, quotes and tables', async () => {
    await open();
    await ready();
    fake.nextResponse('openai', streamed(MARKDOWN));
    await ask('show me markdown');
    const answer = lastAnswer();
    expect(await answer.getByRole('heading', { level: 3 }).textContent()).toBe('Plan');
    expect(await answer.getByRole('heading', { level: 4 }).textContent()).toBe('Steps');
    expect(await answer.locator('strong').first().textContent()).toBe('bold');
    expect(await answer.locator('em').textContent()).toBe('emphasis');
    expect(await answer.locator('del').textContent()).toBe('gone');
    expect(await answer.locator('p code').textContent()).toBe('inline <b>code</b>');
    expect(await answer.textContent()).toContain('snake_case_name kept');
    const docs = answer.getByRole('link', { name: 'the docs' });
    expect(await docs.getAttribute('href')).toBe('https://example.com/docs');
    expect(await docs.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await docs.getAttribute('target')).toBe('_blank');
    expect(await answer.getByRole('link', { name: 'https://example.org/page' }).getAttribute('href')).toBe('https://example.org/page');
    expect(await answer.locator('ol > li').count()).toBe(2);
    expect(await answer.locator('ol > li ul > li').allTextContents()).toEqual(['inner one', 'inner two']);
    expect(await answer.locator('blockquote strong').textContent()).toBe('words');
    expect(await answer.locator('pre code').textContent()).toBe('const answer = 1 < 2 && "<script>";');
    expect(await answer.getByRole('button', { name: 'Copy code' }).count()).toBe(1);
    expect(await answer.getByRole('columnheader').allTextContents()).toEqual(['Name', 'Price']);
    expect(await answer.getByRole('cell').allTextContents()).toEqual(['tea', '2']);
    expect(await answer.locator('b, script').count()).toBe(0);
    await expectNoAxeViolations(page);
  });

  it('a hostile answer stays inert: no markup, no script, no javascript: or data: links', async () => {
    await open();
    await ready();
    const hostile = [
      '<script>window.ran = 1</script><img src=x onerror="window.ran = 2">',
      '[click](javascript:window.ran=3) [data](data:text/html,<script>window.ran=4</script>) [rel](/relative)',
      '[ok](https://example.com/ "x") <https://example.net/>',
      '[nested [brackets](https://a.example/)](https://b.example/)',
    ].join('\n\n');
    fake.nextResponse('openai', streamed(hostile, 7));
    await ask('be hostile');
    const answer = lastAnswer();
    expect(await answer.locator('script, img, iframe, object, [onerror]').count()).toBe(0);
    const hrefs = await answer.getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    for (const href of hrefs) expect(href).toMatch(/^https:\/\//);
    expect(hrefs).toContain('https://example.com/');
    expect(await answer.textContent()).toContain('<script>window.ran = 1</script>');
    expect(await answer.textContent()).toContain('click (javascript:window.ran=3)');
    expect(await page.evaluate(() => (window as unknown as { ran?: number }).ran)).toBeUndefined();
  });

  // Each twice: a megabyte (shown as plain text: the page renders at most 100,000 characters as Markdown) and
  // just under that limit (through the parser).
  const PATHOLOGICAL: Array<[string, (size: number) => string]> = [
    ['backticks', (size) => '`'.repeat(size)],
    ['alternating backtick runs', (size) => '`` ` '.repeat(size / 5)],
    ['quotes nested to the end', (size) => `${'> '.repeat(size / 2)}deep`],
    ['lists nested to the end', (size) => `${'- '.repeat(size / 2)}deep`],
    ['emphasis marks that never close', (size) => '**_'.repeat(size / 3)],
    ['links that never close', (size) => '[a]('.repeat(size / 4)],
    ['brackets that never close', (size) => '['.repeat(size) + '](https://example.com/)'],
    ['a fence that never closes', (size) => '```\n' + 'x\n'.repeat(size / 2)],
  ];
  it.each(PATHOLOGICAL.flatMap(([name, make]) => [[`a megabyte of ${name}`, make(1 << 20)], [`95 KB of ${name}`, make(95_000)]]))(
    '%s: renders in bounded time and the page stays usable',
    async (_name, text) => {
      await open();
      await ready();
      fake.nextResponse('openai', streamed(text, 64 * 1024));
      await ask('something pathological');
      expect(await page.locator('#chat-error').textContent()).toBe('');
      expect((await lastAnswer().textContent())!.length).toBeGreaterThan(0);
      // Still answering normally afterwards.
      await ask('and now?');
      await expect.poll(() => lastAnswer().textContent()).toBe(fakeAnswer('openai', 'and now?'));
    },
  );
});

describe('a chat to keep open', () => {
  it('Copy answer and Copy code put the text (Markdown, redacted) on the clipboard', async () => {
    await open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(served.url).origin });
    await ready();
    fake.nextResponse('openai', streamed('Use **this**:\n\n```sh\nnpm test\n```'));
    await ask('how?');
    await page.getByRole('button', { name: 'Copy answer' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Use **this**:\n\n```sh\nnpm test\n```');
    await page.getByRole('button', { name: 'Copy code' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('npm test');
  });

  it('New chat clears the conversation and keeps the key; the next message starts afresh', async () => {
    await open();
    const key = await ready('anthropic');
    await ask('first topic');
    await page.getByRole('button', { name: 'New chat' }).click();
    expect(await page.getByRole('log').textContent()).toBe('');
    expect(await page.getByRole('status').textContent()).toContain(`…${key.slice(-4)}`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prompt');
    await ask('second topic');
    const bodies = fake.requests.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body));
    expect(bodies.at(-1).messages).toEqual([{ role: 'user', content: 'second topic' }]);
  });

  it.each(['anthropic', 'openai', 'google'] as const)('%s: optional instructions are sent as the system prompt', async (provider) => {
    await open();
    await ready(provider);
    await page.getByText('Instructions for the assistant (optional)').click();
    await page.getByLabel('Instructions', { exact: true }).fill('Answer in French.');
    await expectNoAxeViolations(page);
    await ask('hello');
    const body = JSON.parse(fake.requests.find((r) => r.method === 'POST')!.body);
    if (provider === 'anthropic') expect(body.system).toBe('Answer in French.');
    if (provider === 'openai') expect(body.messages[0]).toEqual({ role: 'system', content: 'Answer in French.' });
    if (provider === 'google') expect(body.systemInstruction).toEqual({ parts: [{ text: 'Answer in French.' }] });
    // Without instructions, nothing of the kind is sent.
    await page.getByLabel('Instructions', { exact: true }).fill('');
    await ask('again');
    const second = fake.requests.filter((r) => r.method === 'POST').at(-1)!.body;
    expect(second).not.toMatch(/"system"|systemInstruction/);
  });

  it('Enter sends; Shift+Enter starts a new line', async () => {
    await open();
    await ready();
    await page.getByLabel('Prompt').focus();
    await page.keyboard.type('line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('line two');
    expect(await page.getByLabel('Prompt').inputValue()).toBe('line one\nline two');
    expect(fake.requests.some((r) => r.method === 'POST')).toBe(false);
    await page.keyboard.press('Enter');
    await expect.poll(() => lastAnswer().textContent()).toBe(fakeAnswer('openai', 'line one\nline two').replace('\n', ''));
    expect(await page.locator('.turn.user .question').textContent()).toBe('line one\nline two');
  });

  it('on a phone, the prompt box stays on screen after three long answers', async () => {
    await open({ width: 390, height: 844 });
    await ready();
    for (const topic of ['one', 'two', 'three']) {
      fake.nextResponse('openai', streamed(`${topic}\n\n${'A long paragraph of answer text. '.repeat(40)}`));
      await ask(topic);
    }
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(2500);
    for (const scroll of [0, 1200, 100_000]) {
      await page.evaluate((y) => window.scrollTo(0, y), scroll);
      const box = await page.getByLabel('Prompt').boundingBox();
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height).toBeLessThanOrEqual(844);
    }
    await page.getByLabel('Prompt').fill('reachable');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => lastAnswer().textContent()).toBe(fakeAnswer('openai', 'reachable'));
    await expectNoAxeViolations(page);
  });
});

describe('words for someone who never had an API key', () => {
  it('says what a key is, that it is billed apart from subscriptions, where to set a spending limit, and how long it is kept', async () => {
    await open();
    await page.getByText('New to API keys?').click();
    const words = page.locator('details', { hasText: 'New to API keys?' });
    const text = await words.textContent();
    expect(text).toMatch(/An API key is a password for programs/);
    expect(text).toMatch(/billed by the provider .* separately from a ChatGPT, Claude or Gemini subscription/);
    expect(text).toMatch(/in this tab only: it survives a reload and is gone when you close the tab/);
    for (const provider of PROVIDERS) {
      const { label, links } = findProvider(provider)!;
      expect(await words.getByRole('link', { name: label }).getAttribute('href')).toBe(links.limits);
    }
    await expectNoAxeViolations(page);
  });

  it('a network failure is said in plain words first; the jargon is behind “Details”', async () => {
    await open();
    fake.nextResponse('anthropic', { headers: { 'access-control-allow-origin': 'https://elsewhere.example' } });
    const key = fakeKey('anthropic');
    keys.push(key);
    fake.addKey(key);
    await page.getByLabel('Provider').selectOption('anthropic');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    const alert = page.locator('#key-error');
    await expect.poll(() => alert.textContent()).toMatch(/^Anthropic could not be reached from this page\. Check your internet connection, then try again\./);
    const jargon = alert.getByText(/anthropic-dangerous-direct-browser-access/);
    expect(await jargon.isVisible()).toBe(false);
    await expectNoAxeViolations(page);
    await alert.getByText('Details').click();
    expect(await jargon.isVisible()).toBe(true);
    await expectNoAxeViolations(page);
  });

  it('an upstream error is said plainly, the provider’s own message behind “Details”', async () => {
    await open();
    await ready();
    fake.nextResponse('openai', { status: 500 });
    await ask('hello');
    const alert = page.locator('#chat-error');
    expect(await alert.textContent()).toMatch(/^OpenAI had a problem answering \(error 500\)\. Try again in a moment\./);
    expect(await alert.getByText(/The server had an error/).isVisible()).toBe(false);
  });
});
