// "Connect OpenRouter" (OAuth PKCE, S256), the whole flow in Chromium against the fake provider's consent page
// and key endpoint: no key to paste, the verifier only in sessionStorage during the round trip, the code out of
// the address bar at once, the key checked and kept like a pasted one in each storage mode; from file:// the
// button says why it cannot work and the paste field stays.

import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startFakeProvider, type FakeProvider, type RecordedRequest } from './support/fake-provider.mjs';
import {
  expectNoAxeViolations,
  fakeKey,
  generatePage,
  keyPlaces,
  launchChromium,
  openWatchedPage,
  pageTraces,
  pageUrl,
  removeGeneratedPages,
  serveDirectory,
  storedItems,
  type GeneratedPage,
  type PageWatch,
} from './support/browser-page.js';

const PASSPHRASE = 'correct horse battery staple';

let fake: FakeProvider;
let browser: Browser;
const pages: Record<'memory' | 'session' | 'encrypted', GeneratedPage> = {} as never;
const served: Record<'memory' | 'session' | 'encrypted', { url: string; close(): Promise<void> }> = {} as never;

let context: BrowserContext;
let page: Page;
let watch: PageWatch;

beforeAll(async () => {
  fake = await startFakeProvider();
  for (const storage of ['memory', 'session', 'encrypted'] as const) {
    pages[storage] = await generatePage({ providers: ['openai', 'openrouter'], fake, storage });
    served[storage] = await serveDirectory(pages[storage].dir);
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const server of Object.values(served)) await server?.close();
  await fake?.close();
  removeGeneratedPages();
});

beforeEach(() => fake.reset());

afterEach(async () => {
  await context?.close();
  expect(watch.violations, 'CSP violations').toEqual([]);
  expect(watch.errors, 'uncaught page errors').toEqual([]);
});

async function open(url: string): Promise<void> {
  ({ context, page, watch } = await openWatchedPage(browser));
  await page.goto(url);
}

/** The key OpenRouter handed out: the Bearer of the page's key check that followed. */
function connectedKey(): string {
  const check = fake.requests.find((r) => r.provider === 'openrouter' && r.path === '/api/v1/key' && r.method === 'GET');
  expect(check, 'key check after connecting').toBeDefined();
  return String(check!.headers.authorization).replace(/^Bearer /, '');
}

const exchange = (): RecordedRequest | undefined =>
  fake.requests.find((r) => r.provider === 'openrouter' && r.method === 'POST' && r.path === '/api/v1/auth/keys');

/** Presses Connect, checks what the page sent to the consent page, and authorizes. */
async function connect(): Promise<{ challenge: string }> {
  await page.getByRole('button', { name: 'Connect OpenRouter' }).click();
  await page.waitForURL(/\/openrouter\/auth\?/);
  const auth = new URL(page.url());
  expect(auth.origin + auth.pathname).toBe(`${fake.baseUrl('openrouter')}/auth`);
  expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
  const challenge = auth.searchParams.get('code_challenge')!;
  expect(challenge).toMatch(/^[\w-]{43}$/);
  // The callback is this page's own address, without query or fragment.
  const callback = new URL(auth.searchParams.get('callback_url')!);
  expect(callback.search + callback.hash).toBe('');
  await page.getByRole('link', { name: 'Authorize' }).click();
  await page.waitForURL((url) => url.origin === callback.origin && !url.searchParams.has('code'));
  return { challenge };
}

/** Saves a pasted OpenAI key (with the passphrase in encrypted mode); resolves to the key once in use. */
async function saveOpenAiKey(encrypted: boolean): Promise<string> {
  const key = fakeKey('openai');
  fake.addKey(key);
  await page.getByLabel('Provider').selectOption('openai');
  await page.getByLabel('API key').fill(key);
  if (encrypted) await page.getByLabel('Choose a passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/^Using your OpenAI key/);
  return key;
}

/**
 * Saves an OpenAI key, then puts its stored record back after Forget key (as another tab of the page would have
 * left it), so that Connect returns to a page with a key already saved.
 */
async function withSavedKeyThenConnect(storage: 'session' | 'encrypted'): Promise<void> {
  await saveOpenAiKey(storage === 'encrypted');
  const session = storage === 'session';
  const [name, value] = await page.evaluate((session) => Object.entries<string>(session ? sessionStorage : localStorage)[0]!, session);
  await page.getByRole('button', { name: 'Forget key' }).click();
  await page.evaluate(([session, name, value]) => (session ? sessionStorage : localStorage).setItem(name, value), [session, name, value] as const);
  await connect();
}

// Every page here is generated with --base-url openrouter=<the fake>: that the consent page is found there (not on
// openrouter.ai) is what connect() checks first.
describe('Connect OpenRouter', () => {
  it.each(['memory', 'session'] as const)('%s: no key to paste; the key is checked and kept like a pasted one', async (storage) => {
    await open(served[storage].url);
    await expectNoAxeViolations(page);
    const { challenge } = await connect();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Using your OpenRouter key …/);
    expect(page.url()).not.toContain('code=');
    // The exchange: the code, the verifier that hashes to the challenge, S256.
    const body = JSON.parse(exchange()!.body);
    expect(body.code_challenge_method).toBe('S256');
    expect(createHash('sha256').update(body.code_verifier).digest('base64url')).toBe(challenge);
    // Nothing of the flow is left behind: no verifier, no code in the history entry.
    const key = connectedKey();
    expect(keyPlaces(fake.requests.filter((r) => r.method !== 'OPTIONS'), key).sort()).toEqual(['authorization']);
    const stored = await storedItems(page, context);
    expect(stored.sessionStorage).toEqual(storage === 'session' ? [expect.stringMatching(/\.key$/)] : []);
    expect(JSON.stringify(await page.evaluate(() => ({ ...sessionStorage })))).not.toContain(body.code_verifier);
    expect(await page.evaluate(() => history.length)).toBeGreaterThan(1);
    // Kept per the storage mode: in memory only, or in this tab's sessionStorage; never in the DOM.
    const traces = await pageTraces(page, context);
    expect(traces.includes(key)).toBe(storage === 'session');
    expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain(key);
    expect(traces).not.toContain(body.code);
    expect(watch.console.join('\n')).not.toContain(key);
    // The code worked once: replayed, it is refused.
    const replay = await fetch(`${fake.baseUrl('openrouter')}/api/v1/auth/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: exchange()!.body,
    });
    expect(replay.status).toBe(403);
    // And the chat goes to OpenRouter with that key.
    await page.getByLabel('Prompt').fill('hello');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.turn.assistant .answer').textContent()).toBe('Hello from fake openrouter: hello');
    await expectNoAxeViolations(page);
  });

  it('encrypted: after connecting, a passphrase is asked and the key saved encrypted', async () => {
    await open(served.encrypted.url);
    await connect();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Connected to OpenRouter\. Choose a passphrase/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('new-passphrase');
    expect(await page.getByLabel('Provider').inputValue()).toBe('openrouter');
    await page.getByLabel('Choose a passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/^Using your OpenRouter key …/);
    const key = connectedKey();
    const saved = await page.evaluate(() => ({ ...localStorage }));
    expect(Object.keys(saved)).toHaveLength(1);
    expect(JSON.stringify(saved)).not.toContain(key);
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
  });

  it('a round trip abandoned on OpenRouter’s side leaves no verifier behind', async () => {
    await open(served.memory.url);
    await page.getByRole('button', { name: 'Connect OpenRouter' }).click();
    await page.waitForURL(/\/openrouter\/auth\?/);
    await page.goBack();
    await page.waitForURL(served.memory.url);
    await expect.poll(() => page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
    expect(await page.getByLabel('API key').isVisible()).toBe(true);
  });

  it('a code the page did not ask for (no verifier) is refused without calling OpenRouter, and leaves the address bar', async () => {
    await open(`${served.memory.url}?code=planted-code`);
    await expect.poll(() => page.locator('#key-error').textContent()).toMatch(/did not ask OpenRouter for a key/);
    expect(page.url()).not.toContain('code=');
    expect(exchange()).toBeUndefined();
  });

  it('a wrong verifier is refused by OpenRouter: the page says so in plain words', async () => {
    await open(served.memory.url);
    await page.getByRole('button', { name: 'Connect OpenRouter' }).click();
    await page.waitForURL(/\/openrouter\/auth\?/);
    // Swap the verifier the page kept for another one, before the page's script runs on the way back.
    await context.addInitScript(() => {
      for (const name of Object.keys(sessionStorage)) sessionStorage.setItem(name, 'not-the-verifier');
    });
    await page.getByRole('link', { name: 'Authorize' }).click();
    await expect.poll(() => page.locator('#key-error').textContent()).toMatch(/^OpenRouter did not give this page a key/);
    expect(await page.locator('#key-error').getByText(/Invalid code or code_verifier/).isVisible()).toBe(false);
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
  });

  it('from file:// the button says there is no address to come back to, and the paste field stays', async () => {
    await open(pageUrl(pages.memory, null));
    const button = page.getByRole('button', { name: 'Connect OpenRouter' });
    expect(await button.isDisabled()).toBe(true);
    expect(await page.locator('#connect-help').textContent()).toMatch(/opened as a file, there is no address OpenRouter could send you back to/);
    expect(await page.getByLabel('API key').isVisible()).toBe(true);
  });

  it('encrypted: the connected key stays OpenRouter’s: choosing another provider drops it, it is never sent there', async () => {
    await open(served.encrypted.url);
    await connect();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Connected to OpenRouter/);
    await page.getByLabel('Provider').selectOption('openai');
    expect(await page.getByLabel('API key').inputValue()).toBe('');
    await page.getByLabel('Choose a passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.waitForTimeout(500);
    expect(fake.requests.filter((r) => r.provider === 'openai')).toEqual([]);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
  });

  it('encrypted: back from Connect with a locked key saved, the connected key replaces it, and the page says so', async () => {
    await open(served.encrypted.url);
    await withSavedKeyThenConnect('encrypted');
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Connected to OpenRouter\. .* The key saved before is forgotten: this one replaces it\.$/);
    expect(await page.getByLabel('Passphrase', { exact: true }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Unlock' }).isVisible()).toBe(false);
    await page.getByLabel('Choose a passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/^Using your OpenRouter key …/);
    const key = connectedKey();
    // What is stored is the key in use: after a reload, unlocking gives the OpenRouter key back.
    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^Using your OpenRouter key …${key.slice(-4)},`));
  });

  it('session: back from Connect with a key saved, the connected key is the one in use and the one stored', async () => {
    await open(served.session.url);
    await withSavedKeyThenConnect('session');
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Using your OpenRouter key ….* The key saved before is forgotten: this one replaces it\.$/);
    const key = connectedKey();
    // Whichever of the restore and the exchange finished first, nothing overrides the connected key afterwards.
    await page.waitForTimeout(500);
    expect(await page.getByRole('status').textContent()).toMatch(new RegExp(`^Using your OpenRouter key …${key.slice(-4)},`));
    expect(await page.locator('#key-error').textContent()).toBe('');
    const stored = await page.evaluate(() => Object.values(sessionStorage).map((value) => JSON.parse(value)));
    expect(stored).toEqual([{ provider: 'openrouter', key }]);
    await page.reload();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(new RegExp(`^Using your OpenRouter key …${key.slice(-4)},`));
  });

  it.each([
    ['salt', { salt: 12345 }],
    ['iv', { iv: { bytes: [1, 2, 3] } }],
    ['data', { data: 'not base64!' }],
  ])('encrypted: a record whose %s is not a base64 string is reported as an unknown format', async (_, tampered) => {
    await open(served.encrypted.url);
    await saveOpenAiKey(true);
    await page.evaluate((tampered) => {
      const name = Object.keys(localStorage)[0]!;
      localStorage.setItem(name, JSON.stringify({ ...JSON.parse(localStorage.getItem(name)!), ...tampered }));
    }, tampered);
    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.locator('#key-error').textContent()).toBe('The saved key has an unknown format: forget it and enter the key again.');
  });
});
