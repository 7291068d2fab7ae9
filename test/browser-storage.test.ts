// The browser pattern's storage choices (--storage session|encrypted), end to end in Chromium, served on
// 127.0.0.1 and opened from file://: what survives a reload, what storage holds, and what Forget key leaves.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fakeAnswer, startFakeProvider, type FakeProvider } from './support/fake-provider.mjs';
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

const NOTHING_STORED = { localStorage: [], sessionStorage: [], indexedDB: [], documentCookie: [], cookies: [] };
const PASSPHRASE = 'correct horse battery staple';

let fake: FakeProvider;
let browser: Browser;
let sessionPage: GeneratedPage;
let encryptedPage: GeneratedPage;
let twoProvidersPage: GeneratedPage;
let servedSession: { url: string; close(): Promise<void> };
let servedTwoProviders: { url: string; close(): Promise<void> };
let servedEncrypted: { url: string; close(): Promise<void> };

let context: BrowserContext;
let page: Page;
let watch: PageWatch;
let keys: string[];

beforeAll(async () => {
  fake = await startFakeProvider();
  // One provider each: the page then has no provider selector. And one with a selector.
  [sessionPage, encryptedPage, twoProvidersPage] = await Promise.all([
    generatePage({ providers: ['openai'], fake, storage: 'session' }),
    generatePage({ providers: ['anthropic'], fake, storage: 'encrypted' }),
    generatePage({ providers: ['openai', 'google'], fake, storage: 'session' }),
  ]);
  servedSession = await serveDirectory(sessionPage.dir);
  servedTwoProviders = await serveDirectory(twoProvidersPage.dir);
  servedEncrypted = await serveDirectory(encryptedPage.dir);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await servedSession?.close();
  await servedTwoProviders?.close();
  await servedEncrypted?.close();
  await fake?.close();
  removeGeneratedPages();
});

beforeEach(() => {
  fake.reset();
  keys = [];
});

afterEach(async () => {
  const consoleText = watch.console.join('\n');
  await context?.close();
  expect(watch.violations, 'CSP violations').toEqual([]);
  expect(watch.errors, 'uncaught page errors').toEqual([]);
  expect(consoleText).not.toContain(PASSPHRASE);
  for (const key of keys) {
    expect(consoleText.includes(key), 'key in the console').toBe(false);
    for (const request of fake.requests.filter((r) => r.method !== 'OPTIONS' && keyPlaces([r], key).length)) {
      expect(keyPlaces([request], key)).toEqual([AUTH_HEADER[request.provider as 'openai']]);
    }
  }
  for (const request of fake.requests) expect(JSON.stringify(request)).not.toContain(PASSPHRASE);
});

async function open(url: string): Promise<void> {
  ({ context, page, watch } = await openWatchedPage(browser));
  await page.goto(url);
}

const keyStatus = () => page.locator('#key-status');
const keyError = () => page.locator('#key-error');

async function chatWorks(provider: 'openai' | 'anthropic'): Promise<void> {
  await page.getByLabel('Prompt').fill('still there?');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => page.locator('.turn.assistant .answer').last().textContent()).toBe(fakeAnswer(provider, 'still there?'));
}

describe('session storage', () => {
  it.each(['http', 'file'] as const)('from %s: survives a reload of the tab, and Forget key clears it', async (origin) => {
    await open(pageUrl(sessionPage, origin === 'http' ? servedSession : null));
    expect(await page.getByLabel('Provider').count()).toBe(0);
    const key = fakeKey('openai');
    keys.push(key);
    fake.addKey(key);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => keyStatus().textContent()).toMatch(new RegExp(`^Using your OpenAI key …${key.slice(-4)},`));
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);

    await page.reload();
    await expect.poll(() => keyStatus().textContent()).toMatch(new RegExp(`^Using your OpenAI key …${key.slice(-4)},`));
    expect(await page.getByLabel('Model').locator('option').count()).toBeGreaterThan(1);
    await chatWorks('openai');

    await page.getByRole('button', { name: 'Forget key' }).click();
    expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
    expect(await pageTraces(page, context)).not.toContain(key);
    await page.reload();
    await page.waitForTimeout(300);
    expect(await keyStatus().textContent()).toBe('');
    expect(await page.locator('#chat-section').isHidden()).toBe(true);
  });

  it('a restored key shows its own provider in the selector, not the first one', async () => {
    await open(servedTwoProviders.url);
    const key = fakeKey('google');
    keys.push(key);
    fake.addKey(key);
    await page.getByLabel('Provider').selectOption('google');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => keyStatus().textContent()).toMatch(new RegExp(`^Using your Google Gemini key …${key.slice(-4)},`));
    await page.reload();
    await expect.poll(() => keyStatus().textContent()).toMatch(new RegExp(`^Using your Google Gemini key …${key.slice(-4)},`));
    // The key form, offered again after Forget key, shows the provider of the key it had.
    await page.getByRole('button', { name: 'Forget key' }).click();
    expect(await page.getByLabel('Provider').inputValue()).toBe('google');
    expect(await page.getByLabel('API key').getAttribute('placeholder')).toBe('AIza…');
    expect(await page.getByRole('link', { name: 'your Google Gemini account' }).count()).toBe(1);
  });

  it('a saved key the provider no longer accepts is dropped on reload', async () => {
    await open(servedSession.url);
    const key = fakeKey('openai');
    keys.push(key);
    fake.addKey(key);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => keyStatus().textContent()).toMatch(/^Using your/);
    fake.removeKey(key);
    await page.reload();
    await expect.poll(() => keyError().textContent()).toMatch(/no longer accepts the saved key/);
    expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
  });
});

describe('encrypted local storage', () => {
  it.each(['http', 'file'] as const)(
    'from %s: only ciphertext stored; reload asks the passphrase once; a wrong one is refused; Forget key clears it',
    async (origin) => {
      await open(pageUrl(encryptedPage, origin === 'http' ? servedEncrypted : null));
      const key = fakeKey('anthropic');
      keys.push(key);
      fake.addKey(key);
      await page.getByLabel('API key').fill(key);
      await page.getByLabel('Choose a passphrase').fill(PASSPHRASE);
      await page.getByRole('button', { name: 'Save key' }).click();
      await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^Using your Anthropic key …${key.slice(-4)},`));

      // localStorage holds one versioned record of ciphertext: not the key, not the passphrase, in any encoding.
      const stored = await page.evaluate(() => ({ ...localStorage }));
      const records = Object.values(stored);
      expect(records).toHaveLength(1);
      const raw = records[0]!;
      for (const secret of [key, key.slice(4, 20), key.slice(-8), PASSPHRASE]) {
        expect(raw).not.toContain(secret);
        expect(raw).not.toContain(Buffer.from(secret).toString('base64').slice(0, 16));
      }
      const record = JSON.parse(raw) as Record<string, unknown>;
      expect(record.v).toBe(1);
      expect(record.kdf).toBe('PBKDF2-SHA256');
      expect(record.iterations).toBeGreaterThanOrEqual(600_000);
      expect(Buffer.from(String(record.salt), 'base64')).toHaveLength(16);
      expect(Buffer.from(String(record.iv), 'base64')).toHaveLength(12);
      expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);

      // Forget key, then another key: saved afresh, with a new salt and IV.
      await page.getByRole('button', { name: 'Forget key' }).click();
      expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
      const second = fakeKey('anthropic');
      keys.push(second);
      fake.addKey(second);
      await page.getByLabel('API key').fill(second);
      await page.getByLabel('Choose a passphrase').fill(PASSPHRASE);
      await page.getByRole('button', { name: 'Save key' }).click();
      await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^Using your Anthropic key …${second.slice(-4)},`));
      const secondRecord = JSON.parse(Object.values(await page.evaluate(() => ({ ...localStorage })))[0]!);
      expect(secondRecord.iv).not.toBe(record.iv);
      expect(secondRecord.salt).not.toBe(record.salt);
      expect(JSON.stringify(secondRecord)).not.toContain(second);

      // Reload: the key is locked until the passphrase is given; a wrong one is refused.
      await page.reload();
      await expect.poll(() => page.getByLabel('Passphrase', { exact: true }).isVisible()).toBe(true);
      expect(await page.getByLabel('API key').isVisible()).toBe(false);
      expect(await page.locator('#chat-section').isHidden()).toBe(true);
      await page.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
      await page.getByRole('button', { name: 'Unlock' }).click();
      await expect.poll(() => keyError().textContent(), { timeout: 15_000 }).toMatch(/Wrong passphrase/);
      await expectNoAxeViolations(page);
      expect(await keyStatus().textContent()).toBe('');
      expect(await page.locator('#chat-section').isHidden()).toBe(true);

      await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
      await page.getByRole('button', { name: 'Unlock' }).click();
      await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^Using your Anthropic key …${second.slice(-4)},`));
      expect(await keyError().textContent()).toBe('');
      expect(await page.getByLabel('Model').locator('option').count()).toBeGreaterThan(1);
      await chatWorks('anthropic');
      expect(await pageTraces(page, context)).not.toContain(PASSPHRASE);

      await page.getByRole('button', { name: 'Forget key' }).click();
      expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
      const traces = await pageTraces(page, context);
      expect(traces).not.toContain(second);
      expect(traces).not.toContain(PASSPHRASE);
      await page.reload();
      expect(await page.getByLabel('API key').isVisible()).toBe(true);
      expect(await page.getByLabel('Choose a passphrase').isVisible()).toBe(true);
    },
  );

  it('refuses a short passphrase before anything is sent', async () => {
    await open(servedEncrypted.url);
    const key = fakeKey('anthropic');
    keys.push(key);
    fake.addKey(key);
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('Choose a passphrase').fill('short');
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => keyError().textContent()).toMatch(/at least 8 characters/);
    expect(fake.requests).toEqual([]);
    expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
  });

  it.each(['aaaaaaaa', '12345678', 'password1', 'abababab', 'qwertyuiop'])(
    'refuses the easily guessed passphrase %j, and says why',
    async (passphrase) => {
      await open(servedEncrypted.url);
      const key = fakeKey('anthropic');
      keys.push(key);
      fake.addKey(key);
      await page.getByLabel('API key').fill(key);
      await page.getByLabel('Choose a passphrase').fill(passphrase);
      await page.getByRole('button', { name: 'Save key' }).click();
      await expect.poll(() => keyError().textContent()).toMatch(/too easy to guess .*four unrelated words/);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('new-passphrase');
      expect(fake.requests).toEqual([]);
      expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
    },
  );

  it('after unlocking, the focus is on the prompt', async () => {
    await open(servedEncrypted.url);
    await saveWithPassphrase(PASSPHRASE);
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.keyboard.press('Enter');
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prompt');
  });

  it('a saved record asking for an absurd iteration count is refused at once, not derived for minutes', async () => {
    await open(servedEncrypted.url);
    await saveWithPassphrase(PASSPHRASE);
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    await page.evaluate(() => {
      const name = Object.keys(localStorage)[0]!;
      const record = JSON.parse(localStorage.getItem(name)!);
      localStorage.setItem(name, JSON.stringify({ ...record, iterations: 4_000_000_000 }));
    });
    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => keyError().textContent()).toBe('The saved key has an unknown format: forget it and enter the key again.');
    expect(await page.getByRole('button', { name: 'Unlock' }).isEnabled()).toBe(true);
  });

  /** Opens the encrypted page with key derivation slowed down to a second, so that Forget key can land during it. */
  async function openWithSlowDerivation(): Promise<void> {
    ({ context, page, watch } = await openWatchedPage(browser));
    await context.addInitScript(() => {
      const deriveKey = SubtleCrypto.prototype.deriveKey;
      SubtleCrypto.prototype.deriveKey = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['deriveKey']>) {
        return new Promise((resolve) => setTimeout(resolve, 1000)).then(() => deriveKey.apply(this, args));
      } as SubtleCrypto['deriveKey'];
    });
    await page.goto(servedEncrypted.url);
  }

  async function saveWithPassphrase(passphrase: string): Promise<string> {
    const key = fakeKey('anthropic');
    keys.push(key);
    fake.addKey(key);
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('Choose a passphrase').fill(passphrase);
    await page.getByRole('button', { name: 'Save key' }).click();
    return key;
  }

  it('Forget key while the key is being encrypted: nothing is written', async () => {
    await openWithSlowDerivation();
    const key = await saveWithPassphrase(PASSPHRASE);
    // The key check is answered at once; the derivation then takes a second.
    await expect.poll(() => fake.requests.some((r) => r.method === 'GET')).toBe(true);
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.waitForTimeout(1500);
    expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
    expect(await keyStatus().textContent()).toBe('');
    expect(await page.locator('#chat-section').isHidden()).toBe(true);
    expect(await pageTraces(page, context)).not.toContain(key);
    await page.reload();
    expect(await page.getByLabel('Choose a passphrase').isVisible()).toBe(true);
  });

  it('Unlock cannot be pressed again while the key is being derived', async () => {
    await openWithSlowDerivation();
    await saveWithPassphrase(PASSPHRASE);
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => keyStatus().textContent()).toBe('Unlocking…');
    expect(await page.getByRole('button', { name: 'Unlock' }).isDisabled()).toBe(true);
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
  });

  it('Forget key while unlocking: the old passphrase is dropped, the next key is saved with the new one', async () => {
    await openWithSlowDerivation();
    await saveWithPassphrase(PASSPHRASE);
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.waitForTimeout(1500);
    expect(await keyStatus().textContent()).toBe('');

    const newPassphrase = 'a different passphrase';
    const second = await saveWithPassphrase(newPassphrase);
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^Using your Anthropic key …${second.slice(-4)},`));
    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(newPassphrase);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^Using your Anthropic key …${second.slice(-4)},`));
    expect(await keyError().textContent()).toBe('');
    expect(watch.console.join('\n')).not.toContain(newPassphrase);
  });

  it('a saved record this page cannot read is reported as such, not as a parser error', async () => {
    await open(servedEncrypted.url);
    await saveWithPassphrase(PASSPHRASE);
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    // The page's item, as some other version of the page might have written it.
    await page.evaluate(() => localStorage.setItem(Object.keys(localStorage)[0]!, 'v2:not-json'));
    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => keyError().textContent()).toBe('The saved key has an unknown format: forget it and enter the key again.');
    await page.getByRole('button', { name: 'Forget key' }).click();
    expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
  });

  it('keeps no passphrase in memory once the key is saved or unlocked, and no key after Forget key', async () => {
    await open(servedEncrypted.url);
    const cdp = await context.newCDPSession(page);
    /** Whether the page's JavaScript heap holds `text` anywhere, after a garbage collection. */
    const inHeap = async (text: string): Promise<boolean> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const chunks: string[] = [];
      const collect = ({ chunk }: { chunk: string }) => chunks.push(chunk);
      cdp.on('HeapProfiler.addHeapSnapshotChunk', collect);
      await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      cdp.off('HeapProfiler.addHeapSnapshotChunk', collect);
      return chunks.join('').includes(text);
    };
    const passphrase = `chosen ${fakeKey('openai').slice(-12)}`;
    const key = await saveWithPassphrase(passphrase);
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    expect(await inHeap(key), 'the key in use is in memory: the check can see a string').toBe(true);
    expect(await inHeap(passphrase), 'passphrase kept after saving').toBe(false);

    await page.reload();
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    expect(await inHeap(passphrase), 'passphrase kept after unlocking').toBe(false);

    // And Forget key leaves no reference to the key, after a chat too.
    await chatWorks('anthropic');
    await page.getByRole('button', { name: 'Forget key' }).click();
    expect(await inHeap(key), 'key kept after Forget key').toBe(false);
  });

  it('Forget key from the locked state clears the saved record', async () => {
    await open(servedEncrypted.url);
    const key = fakeKey('anthropic');
    keys.push(key);
    fake.addKey(key);
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('Choose a passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => keyStatus().textContent(), { timeout: 15_000 }).toMatch(/^Using your/);
    await page.reload();
    await page.getByRole('button', { name: 'Forget key' }).click();
    expect(await storedItems(page, context)).toEqual(NOTHING_STORED);
    expect(await page.getByLabel('API key').isVisible()).toBe(true);
  });
});
