// The browser pattern, end to end, per provider: the generated page (served on 127.0.0.1 and opened from file://)
// in Debian's Chromium, talking to the local fake provider, which behaves like the real APIs in CORS too.
// Every test also checks what must hold during any run: no CSP violation, the key never in the console, and the
// provider saw the key only in its auth header.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_MODELS, fakeAnswer, startFakeProvider, type FakeProvider, type ProviderId } from './support/fake-provider.mjs';
import {
  AUTH_HEADER,
  expectNoAxeViolations,
  fakeKey,
  generatePage,
  keyPlaces,
  launchChromium,
  openWatchedPage,
  pageTraces,
  pageUrl,
  serveDirectory,
  removeGeneratedPages,
  storedItems,
  type GeneratedPage,
  type PageWatch,
} from './support/browser-page.js';
import { findProvider } from '../src/providers/index.js';

const PROVIDERS: ProviderId[] = ['anthropic', 'openai', 'google', 'mistral', 'openrouter'];

let fake: FakeProvider;
let browser: Browser;
let generated: GeneratedPage;
let served: { url: string; close(): Promise<void> };

// Per test: the page, what it reported, and every key it was given.
let context: BrowserContext;
let page: Page;
let watch: PageWatch;
let keys: string[];

beforeAll(async () => {
  fake = await startFakeProvider();
  generated = await generatePage({ providers: PROVIDERS, fake, name: 'Acme Helper' });
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
  // What must hold during every run, whatever the test did.
  const consoleText = watch.console.join('\n');
  await context?.close();
  expect(watch.violations, 'CSP violations').toEqual([]);
  expect(watch.errors, 'uncaught page errors').toEqual([]);
  for (const key of keys) {
    expect(consoleText.includes(key), 'key in the console').toBe(false);
    const carrying = fake.requests.filter((request) => request.method !== 'OPTIONS' && keyPlaces([request], key).length);
    for (const request of carrying) {
      expect(keyPlaces([request], key), `${request.method} /${request.provider}${request.path}`).toEqual([
        AUTH_HEADER[request.provider as ProviderId],
      ]);
    }
  }
  for (const request of fake.requests) {
    if (request.provider === 'anthropic' && request.method !== 'OPTIONS') {
      expect(request.headers['anthropic-dangerous-direct-browser-access']).toBe('true');
    }
  }
});

async function open(origin: 'http' | 'file' = 'http'): Promise<void> {
  ({ context, page, watch } = await openWatchedPage(browser));
  await page.goto(pageUrl(generated, origin === 'http' ? served : null));
}

/** A fake key for `provider`, remembered for the after-test checks; known to the fake unless `known` is false. */
function newKey(provider: ProviderId, options: Parameters<FakeProvider['addKey']>[1] | false = {}): string {
  const key = fakeKey(provider);
  keys.push(key);
  if (options !== false) fake.addKey(key, options);
  return key;
}

async function saveKey(provider: ProviderId, key: string): Promise<void> {
  await page.getByLabel('Provider').selectOption(provider);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Save key' }).click();
}

const keyError = () => page.locator('#key-error');
const keyStatus = () => page.getByRole('status');
const modelSelect = () => page.getByLabel('Model');

/**
 * The model the page should preselect from the key's list: the catalog default, or the listed model it is an
 * alias of, or the listed model whose name shares the longest start with it.
 */
function expectedDefault(provider: ProviderId, listed: string[]): string {
  const catalogDefault = findProvider(provider)!.models.default;
  if (listed.includes(catalogDefault)) return catalogDefault;
  const shared = (id: string) => [...id].findIndex((char, i) => char !== catalogDefault[i]) >>> 0;
  return (
    listed.find((id) => id.startsWith(`${catalogDefault}-`)) ??
    listed.reduce((best, id) => (Math.min(shared(id), id.length) > Math.min(shared(best), best.length) ? id : best))
  );
}

async function lastAnswer(): Promise<string> {
  return (await page.locator('.turn.assistant .answer').last().textContent()) ?? '';
}

describe.each(['http', 'file'] as const)('from %s', (origin) => {
  it.each(PROVIDERS)('%s: invalid key refused, valid key kept with its models, streamed answer, forgotten without trace', async (provider) => {
    await open(origin);

    // An invalid key: refused with the "wrong key" message, nothing kept.
    const wrong = newKey(provider, false);
    await saveKey(provider, wrong);
    await expect.poll(() => keyError().textContent()).toMatch(/refused this key: it is not a valid API key/);
    await expect(page.locator('#chat-section').isHidden()).resolves.toBe(true);
    expect(await keyStatus().textContent()).toBe('');
    await expectNoAxeViolations(page);

    // A valid key: kept, shown only as its last four characters, its models listed with the default preselected.
    const key = newKey(provider);
    await saveKey(provider, key);
    await expect.poll(() => keyStatus().textContent()).toMatch(new RegExp(`^Using your ${findProvider(provider)!.label} key …${key.slice(-4)},`));
    expect(await keyError().textContent()).toBe('');
    expect(await page.getByLabel('API key').inputValue()).toBe('');
    const options = await modelSelect().locator('option').allTextContents();
    for (const model of DEFAULT_MODELS[provider]) expect(options).toContain(model);
    expect(await modelSelect().inputValue()).toBe(expectedDefault(provider, DEFAULT_MODELS[provider]));
    expect(await pageTraces(page, context)).not.toContain(key);
    if (!findProvider(provider)!.models.sameAsKeyCheck) {
      expect(fake.requests.some((r) => r.method === 'GET' && r.path === findProvider(provider)!.models.path)).toBe(true);
    }

    // A prompt: the answer arrives piece by piece (seen partial before it is complete), written as text.
    fake.setStreamDelay(60);
    const prompt = 'Tell me <b>something</b> please';
    const full = fakeAnswer(provider, prompt);
    await page.getByLabel('Prompt').fill(prompt);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(
      (full) => {
        const text = document.querySelector('.turn.assistant .answer')?.textContent ?? '';
        return text.length > 0 && text.length < full.length;
      },
      full,
      { polling: 10 },
    );
    await expect.poll(lastAnswer).toBe(full);
    expect(await page.getByRole('log').locator('b').count()).toBe(0);
    await expectNoAxeViolations(page);
    const chat = fake.requests.find((r) => r.method === 'POST');
    expect(chat).toBeDefined();
    if (provider === 'google') expect(`${chat!.path}?${chat!.query}`).toMatch(/:streamGenerateContent\?alt=sse$/);
    else expect(JSON.parse(chat!.body).stream).toBe(true);

    // Forget key: no trace in the DOM (input values included), storage, cookies or IndexedDB.
    await page.getByRole('button', { name: 'Forget key' }).click();
    expect(await keyStatus().textContent()).toBe('');
    expect(await page.locator('#chat-section').isHidden()).toBe(true);
    const traces = await pageTraces(page, context);
    expect(traces).not.toContain(key);
    expect(traces).not.toContain(key.slice(-8));
    expect(await storedItems(page, context)).toEqual({
      localStorage: [],
      sessionStorage: [],
      indexedDB: [],
      documentCookie: [],
      cookies: [],
    });
  });
});

describe('what each key-check answer means', () => {
  it.each(['openai', 'google', 'anthropic'] as const)('%s: a valid key without access (403) is told apart from a wrong key', async (provider) => {
    await open();
    await saveKey(provider, newKey(provider, { status: 'forbidden' }));
    await expect.poll(() => keyError().textContent()).toMatch(/knows this key, but it is not allowed to use the API \(403\)/);
    expect(await keyError().textContent()).not.toMatch(/not a valid API key/);
    expect(await keyStatus().textContent()).toBe('');
  });

  it.each(['anthropic', 'google', 'openai'] as const)('%s: rate limited (429) says how long to wait', async (provider) => {
    await open();
    await saveKey(provider, newKey(provider, { status: 'rate-limited' }));
    // The fake asks for 1 s: Anthropic in retry-after, Gemini in the body's RetryInfo.
    await expect.poll(() => keyError().textContent()).toMatch(/is rate limiting this key\. Try again in 1 second\./);
  });

  it('a key with a character no header can carry is refused as mistyped, not blamed on the network', async () => {
    await open();
    const key = newKey('openai');
    // Copied from a page that turned part of it into a typographic character.
    await saveKey('openai', `${key.slice(0, 12)}…${key.slice(13)}`);
    await expect.poll(() => keyError().textContent()).toMatch(/contains spaces or characters an API key never has/);
    expect(await keyError().textContent()).not.toMatch(/Could not reach/);
    expect(fake.requests).toEqual([]);
    expect(await keyStatus().textContent()).toBe('');
  });

  it('anthropic: "retry-after: 0" still asks for a wait of at least a second', async () => {
    await open();
    fake.nextResponse('anthropic', { status: 429, headers: { 'retry-after': '0' } });
    await saveKey('anthropic', newKey('anthropic'));
    await expect.poll(() => keyError().textContent()).toMatch(/Try again in 1 second\./);
  });

  it('google: a 400 that is not API_KEY_INVALID is not called a wrong key', async () => {
    await open();
    fake.nextResponse('google', {
      status: 400,
      body: { error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' } },
    });
    await saveKey('google', newKey('google'));
    await expect.poll(() => keyError().textContent()).toMatch(/answered 400, so the key could not be checked/);
    expect(await keyError().textContent()).not.toMatch(/not a valid API key/);
  });

  it('anthropic: a refusal the browser reports as a network error explains the direct-browser-access header', async () => {
    await open();
    // The answer carries no usable CORS header, as when an organisation switched browser access off.
    fake.nextResponse('anthropic', { headers: { 'access-control-allow-origin': 'https://elsewhere.example' } });
    await saveKey('anthropic', newKey('anthropic'));
    await expect.poll(() => keyError().textContent()).toMatch(/^Anthropic could not be reached from this page/);
    const message = await keyError().textContent();
    expect(message).toContain('anthropic-dangerous-direct-browser-access: true');
    expect(message).toMatch(/organisation admin/);
    expect(await keyStatus().textContent()).toBe('');
    // The browser's own CORS error line is in the console; it names the URL, never the key.
    expect(watch.console.some((line) => /CORS/.test(line))).toBe(true);
  });

  it('mistral: an upstream error that echoes the key is shown redacted (by value: Mistral keys have no shape)', async () => {
    await open();
    const key = newKey('mistral');
    await saveKey('mistral', key);
    await expect.poll(() => keyStatus().textContent()).toMatch(/^Using your/);
    fake.nextResponse('mistral', { status: 401, echoKey: true });
    await page.getByLabel('Prompt').fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    const chatError = page.locator('#chat-error');
    await expect.poll(() => chatError.textContent()).toMatch(/Mistral answered 401: Unauthorized: \[redacted\]/);
    expect(await pageTraces(page, context)).not.toContain(key);
    // The question is given back to edit or resend.
    expect(await page.getByLabel('Prompt').inputValue()).toBe('hello');
  });
});

describe('what each chat answer means', () => {
  async function ready(provider: ProviderId): Promise<void> {
    await open();
    await saveKey(provider, newKey(provider));
    await expect.poll(() => keyStatus().textContent()).toMatch(/^Using your/);
  }

  async function ask(prompt: string): Promise<void> {
    await page.getByLabel('Prompt').fill(prompt);
    await page.getByRole('button', { name: 'Send' }).click();
  }

  const sse = (events: unknown[]) => ({
    headers: { 'content-type': 'text/event-stream' },
    body: events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\r\n\r\n`).join(''),
  });

  it('openai: an account out of credit (429 insufficient_quota) is not told to wait', async () => {
    await ready('openai');
    fake.nextResponse('openai', {
      status: 429,
      body: { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' } },
    });
    await ask('hello');
    const chatError = page.locator('#chat-error');
    await expect.poll(() => chatError.textContent()).toMatch(/run out of credit or quota\. Check its plan and billing settings\./);
    expect(await chatError.textContent()).not.toMatch(/Try again/);
  });

  it('google: a prompt refused with no answer at all says so, and gives the prompt back', async () => {
    await ready('google');
    fake.nextResponse('google', sse([{ promptFeedback: { blockReason: 'SAFETY' } }]));
    await ask('something it will not answer');
    await expect.poll(() => page.locator('#chat-error').textContent()).toBe(
      'Google Gemini sent no answer (SAFETY). Try again, or change the prompt.',
    );
    expect(await page.getByLabel('Prompt').inputValue()).toBe('something it will not answer');
    expect(await page.locator('.turn').count()).toBe(0);
  });

  it('openai: an answer cut off by the length limit is marked as such', async () => {
    await ready('openai');
    fake.nextResponse('openai', sse([
      { choices: [{ index: 0, delta: { role: 'assistant', content: 'The first half' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
      '[DONE]',
    ]));
    await ask('a long story');
    await expect.poll(lastAnswer).toBe('The first half[ended: length]');
    expect(await page.locator('.turn.assistant .answer .hint').textContent()).toBe('[ended: length]');
    // A complete answer carries no mark.
    await ask('a short one');
    await expect.poll(lastAnswer).toBe(fakeAnswer('openai', 'a short one'));
  });
});

describe('stopping and forgetting', () => {
  it('Stop ends the stream and keeps what arrived', async () => {
    await open();
    await saveKey('openai', newKey('openai'));
    await expect.poll(() => keyStatus().textContent()).toMatch(/^Using your/);
    fake.setStreamDelay(200);
    await page.getByLabel('Prompt').fill('one two three four five six seven eight');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(lastAnswer).toMatch(/^Hello/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByRole('log').textContent()).toContain('[stopped]');
    const stopped = await lastAnswer();
    expect(stopped.length).toBeLessThan(fakeAnswer('openai', 'one two three four five six seven eight').length);
    expect(await page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
    await page.waitForTimeout(500);
    expect(await lastAnswer()).toBe(stopped);
  });

  it('Forget key aborts a streaming answer', async () => {
    await open();
    const key = newKey('anthropic');
    await saveKey('anthropic', key);
    await expect.poll(() => keyStatus().textContent()).toMatch(/^Using your/);
    fake.setStreamDelay(200);
    await page.getByLabel('Prompt').fill('one two three four five six seven eight');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(lastAnswer).toMatch(/^Hello/);
    const requests = fake.requests.length;
    await page.getByRole('button', { name: 'Forget key' }).click();
    // The conversation goes with the key, and nothing more of the answer arrives.
    expect(await page.locator('#transcript').textContent()).toBe('');
    await page.waitForTimeout(600);
    expect(await page.locator('#transcript').textContent()).toBe('');
    expect(fake.requests.length).toBe(requests);
    expect(await pageTraces(page, context)).not.toContain(key);
    expect(await page.locator('#chat-section').isHidden()).toBe(true);
  });

  it('Forget key aborts a key check in flight: its answer is never used', async () => {
    await open();
    fake.nextResponse('google', { delayMs: 800 });
    const key = newKey('google');
    await saveKey('google', key);
    await expect.poll(() => keyStatus().textContent()).toMatch(/Checking the key/);
    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.waitForTimeout(1200);
    expect(await keyStatus().textContent()).toBe('');
    expect(await keyError().textContent()).toBe('');
    expect(await page.locator('#chat-section').isHidden()).toBe(true);
    expect(await pageTraces(page, context)).not.toContain(key);
  });
});

describe('keyboard and screen readers', () => {
  it('works from the keyboard alone, with named fields and live regions', async () => {
    await open();
    const key = newKey('openai');
    await page.getByLabel('Provider').focus();
    await page.keyboard.press('ArrowDown'); // Anthropic -> OpenAI
    expect(await page.getByLabel('Provider').inputValue()).toBe('openai');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key');
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
    await expect.poll(() => keyStatus().textContent()).toMatch(/^Using your/);
    // Focus moves on to the prompt; Ctrl+Enter sends.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prompt');
    await page.keyboard.type('hi');
    await page.keyboard.press('Control+Enter');
    await expect.poll(lastAnswer).toBe(fakeAnswer('openai', 'hi'));

    expect(await page.locator('#api-key').getAttribute('type')).toBe('password');
    expect(await page.getByRole('textbox', { name: 'Prompt' }).count()).toBe(1);
    expect(await page.getByRole('combobox', { name: 'Model' }).count()).toBe(1);
    expect(await page.getByRole('log').count()).toBe(1);
    expect(await page.getByRole('log').getAttribute('aria-busy')).toBe('false');
    expect(await page.getByRole('alert').count()).toBeGreaterThan(0);
  });

  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

  it('keeps the keyboard focus somewhere useful when a button it is on turns disabled', async () => {
    await open();
    // Save pressed on the button with a wrong key: back to the key field, which the error describes.
    await page.getByLabel('Provider').selectOption('openai');
    await page.getByLabel('API key').fill(newKey('openai', false));
    await page.getByRole('button', { name: 'Save key' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => keyError().textContent()).toMatch(/not a valid API key/);
    expect(await focused()).toBe('api-key');
    expect(await page.getByLabel('API key').getAttribute('aria-describedby')).toContain('key-error');

    await page.getByLabel('API key').fill(newKey('openai'));
    await page.keyboard.press('Enter');
    await expect.poll(() => keyStatus().textContent()).toMatch(/^Using your/);

    // Send pressed on the button: focus goes to Stop while the answer streams, then back to the prompt.
    fake.setStreamDelay(150);
    await page.getByLabel('Prompt').fill('one two three four five six seven eight');
    await page.getByRole('button', { name: 'Send' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(lastAnswer).toMatch(/^Hello/);
    expect(await focused()).toBe('stop');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('log').textContent()).toContain('[stopped]');
    expect(await focused()).toBe('prompt');

    // Focus the user moved elsewhere during an answer stays there when the answer ends.
    fake.setStreamDelay(30);
    await page.getByLabel('Prompt').fill('again please');
    await page.keyboard.press('Control+Enter');
    await page.getByLabel('Model').focus();
    await expect.poll(lastAnswer).toBe(fakeAnswer('openai', 'again please'));
    await expect.poll(() => page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    expect(await focused()).toBe('model');
  });

  it('Esc stops an answer', async () => {
    await open();
    await saveKey('google', newKey('google'));
    await expect.poll(() => keyStatus().textContent()).toMatch(/^Using your/);
    fake.setStreamDelay(150);
    await page.getByLabel('Prompt').fill('one two three four five six seven eight');
    await page.keyboard.press('Control+Enter');
    await expect.poll(lastAnswer).toMatch(/^Hello/);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('log').textContent()).toContain('[stopped]');
    expect(await page.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
  });

  /** WCAG contrast ratio of two CSS rgb() colours. */
  function contrast(a: string, b: string): number {
    const luminance = (color: string) => {
      const [r, g, bl] = color.match(/[\d.]+/g)!.slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
    };
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  }

  it.each(['light', 'dark'] as const)('has readable text and visible field borders in the %s scheme', async (scheme) => {
    await open();
    await page.emulateMedia({ colorScheme: scheme });
    await saveKey('openai', newKey('openai', false));
    await expect.poll(() => keyError().textContent()).toMatch(/not a valid API key/);
    await expectNoAxeViolations(page);
    const colors = await page.evaluate(() => {
      const style = (selector: string) => getComputedStyle(document.querySelector(selector)!);
      const page = getComputedStyle(document.documentElement).backgroundColor;
      return {
        page: page === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : page,
        text: style('h1').color,
        hint: style('.hint').color,
        link: style('#keys-link').color,
        error: style('#key-error').color,
        field: style('#api-key').backgroundColor,
        fieldText: style('#api-key').color,
        fieldBorder: style('#api-key').borderTopColor,
        selectBorder: style('#provider').borderTopColor,
        button: style('#save').backgroundColor,
        buttonText: style('#save').color,
      };
    });
    for (const name of ['text', 'hint', 'link', 'error'] as const) {
      expect(contrast(colors[name], colors.page), `${name} on the page`).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrast(colors.fieldText, colors.field), 'field text').toBeGreaterThanOrEqual(4.5);
    expect(contrast(colors.buttonText, colors.button), 'button text').toBeGreaterThanOrEqual(4.5);
    // WCAG 1.4.11: the edge of a field must stand out 3:1 from what is around it.
    expect(contrast(colors.fieldBorder, colors.page), 'field border').toBeGreaterThanOrEqual(3);
    expect(contrast(colors.selectBorder, colors.page), 'select border').toBeGreaterThanOrEqual(3);
  });
});

describe('the Content-Security-Policy in the browser', () => {
  it('makes the HTML-parsing sinks throw (Trusted Types): an edit that writes markup fails loudly', async () => {
    await open();
    const outcome = await page.evaluate(() => {
      try {
        document.body.insertAdjacentHTML('beforeend', '<img src=x>');
        return 'markup written';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(outcome).toBe('TypeError');
    // The refusal is reported as a violation, by design: take it out of what the after-test check counts.
    await expect.poll(() => watch.violations.join('\n')).toMatch(/trusted-types|TrustedHTML/i);
    await page.waitForTimeout(100);
    watch.violations.length = 0;
  });
});
