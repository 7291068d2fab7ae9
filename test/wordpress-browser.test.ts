/**
 * The generated plugin's settings page in Chromium, used as an administrator would: log in through the form, open
 * Settings > <name> from the menu, type keys into the "API key" field, press the buttons, read the notices.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from './support/fake-provider.mjs';
import { USERS, WordPressRig } from './support/wordpress-rig.js';
import { fakeKey, generatePlugin, phpProblemsFrom, type GeneratedPlugin } from './wordpress/helpers.js';

const NAME = `Acme "Browser" \\ </script><script>alert(1)</script> */ ?> \${x} 🚀`;

let rig: WordPressRig;
let fake: FakeProvider;
let browser: Browser;
let page: Page;
let plugin: GeneratedPlugin;
/** Every document the browser loaded, to check that the key never came back to it. */
const documents: string[] = [];
/** The confirmation dialogs a test expects next, and what the user answers. Any other dialog fails the run. */
const expectedDialogs: Array<{ message: RegExp; accept: boolean }> = [];

beforeAll(async () => {
  [rig, fake, browser] = await Promise.all([
    WordPressRig.start(),
    startFakeProvider(),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    }),
  ]);
  plugin = await generatePlugin(NAME, ['anthropic', 'openai'], fake);
  rig.installPlugin(plugin.dir);
  await rig.plugin('activate', plugin.file);
  page = await browser.newPage();
  page.on('response', async (response) => {
    if (response.request().resourceType() === 'document') documents.push(await response.text().catch(() => ''));
  });
  page.on('dialog', (dialog) => {
    const answer = expectedDialogs.shift();
    if (!answer || !answer.message.test(dialog.message())) {
      throw new Error(`unexpected dialog: ${dialog.message()}`); // e.g. the name's alert(1) running
    }
    void (answer.accept ? dialog.accept() : dialog.dismiss());
  });
});

afterAll(async ({}, suite) => {
  await browser?.close();
  await Promise.all([rig?.stop(suite), fake?.close()]);
  plugin?.cleanup();
});

/** Presses "Save settings" and waits for the page options.php redirects to (the URL alone may match the last one). */
async function save(): Promise<void> {
  const shown = page.waitForResponse(
    (response) => response.request().resourceType() === 'document' && response.request().method() === 'GET' &&
      response.url().includes('settings-updated=true'),
  );
  await page.getByRole('button', { name: 'Save settings' }).click();
  await shown;
  await page.waitForLoadState('load');
}

async function noticeTexts(): Promise<string[]> {
  return (await page.locator('.wrap .notice p').allInnerTexts()).map((text) => text.trim());
}

describe('the settings page in Chromium', () => {
  const invalidKey = fakeKey('anthropic');
  const validKey = fakeKey('anthropic');

  it('is reached from the Settings menu after logging in, titled with the name exactly as typed', async () => {
    await page.goto(`${rig.url}/wp-login.php`);
    await page.getByLabel('Username or Email Address').fill(USERS.admin.login);
    await page.getByLabel('Password', { exact: true }).fill(USERS.admin.password);
    await Promise.all([page.waitForURL(/wp-admin/), page.getByRole('button', { name: 'Log In' }).click()]);

    await page.locator('#menu-settings').hover();
    await Promise.all([
      page.waitForURL(new RegExp(`page=${plugin.slug}$`)),
      page.locator(`#menu-settings a[href="options-general.php?page=${plugin.slug}"]`).click(),
    ]);
    // WordPress's emoji script swaps emoji for <img alt="🚀">: read those back as the characters they show.
    const heading = await page.locator('.wrap h1').evaluate((h1) =>
      [...h1.childNodes].map((node) => (node instanceof HTMLImageElement ? node.alt : node.textContent)).join(''),
    );
    expect(heading).toBe(NAME);
    await expect(page.getByLabel('API key').getAttribute('type')).resolves.toBe('password');
  });

  it('refuses an invalid key with an error notice', async () => {
    await page.getByLabel('API key').fill(invalidKey);
    await save();
    const texts = await noticeTexts();
    expect(texts.join('\n')).toMatch(/Anthropic rejected this API key/);
    await expect(page.getByLabel('API key').inputValue()).resolves.toBe('');
    expect(await page.locator('.wrap').innerText()).not.toContain('Key saved');
  });

  it('saves a valid key and shows only its last four characters', async () => {
    fake.addKey(validKey, { providers: ['anthropic'] });
    await page.getByLabel('API key').fill(validKey);
    await save();
    expect(await noticeTexts()).toContain(`Key saved: …${validKey.slice(-4)}`);
    await expect(page.getByLabel('API key').inputValue()).resolves.toBe('');
    // The model field now suggests the models the key check listed.
    expect(await page.locator(`datalist#${plugin.slug}-models option`).count()).toBeGreaterThan(0);
  });

  it('keeps the key when the form is saved with the field empty, e.g. to change the model', async () => {
    await page.getByLabel('Model').fill('claude-sonnet-4-5-20250929');
    await save();
    await expect(page.getByLabel('Model').inputValue()).resolves.toBe('claude-sonnet-4-5-20250929');
    expect(await page.locator('.wrap').innerText()).toContain(`Key saved: …${validKey.slice(-4)}. Leave the field empty to keep it.`);
  });

  it('asks for a key before switching to the other provider', async () => {
    await page.getByLabel('Provider').selectOption({ label: 'OpenAI' });
    await save();
    expect((await noticeTexts()).join('\n')).toMatch(/To switch to OpenAI, enter an API key for it/);
    await expect(page.getByLabel('Provider').inputValue()).resolves.toBe('anthropic');
  });

  it('asks before removing the key with "Remove key", and keeps it when the answer is no, under a strict CSP', async () => {
    // A site that forbids inline scripts (no 'unsafe-inline', no 'unsafe-hashes'): an onclick attribute would not run,
    // and the key would go without a question. Only files from the site itself may run.
    const settingsDocument = (url: URL) => url.pathname.endsWith('/wp-admin/options-general.php');
    await page.route(settingsDocument, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "script-src 'self'" } });
    });
    await page.reload();
    const question = /Remove the Anthropic key saved in this plugin\?/;
    expectedDialogs.push({ message: question, accept: false });
    await page.getByRole('button', { name: 'Remove key' }).click();
    expect(expectedDialogs).toEqual([]);
    expect(page.url()).not.toMatch(/key-removed/);
    expect(await rig.sql(`SELECT COUNT(*) FROM wp_options WHERE option_name = '${plugin.functionPrefix}_api_keys'`)).toBe('1\n');

    expectedDialogs.push({ message: question, accept: true });
    await Promise.all([page.waitForURL(/key-removed=1/), page.getByRole('button', { name: 'Remove key' }).click()]);
    expect(await noticeTexts()).toContain('Key removed.');
    expect(await page.getByRole('button', { name: 'Remove key' }).count()).toBe(0);
    expect(await rig.sql(`SELECT COUNT(*) FROM wp_options WHERE option_name = '${plugin.functionPrefix}_api_keys'`)).toBe('0\n');
    await page.unroute(settingsDocument);
  });

  it('never sent either key back to the browser, and left no PHP notice from the plugin', () => {
    expect(documents.length).toBeGreaterThan(5);
    for (const html of documents) {
      expect(html.includes(validKey)).toBe(false);
      expect(html.includes(invalidKey)).toBe(false);
    }
    expect(phpProblemsFrom(rig.debugLog(), plugin.slug)).toEqual([]);
  });
});
