/**
 * The generated plugin as a site's editors and owner meet it, in WordPress 6.1 (Debian 12's package) and 7.1 (Debian's
 * current one, with Settings > Connectors): Chromium logged in as an editor opens the plugin's sidebar in the block
 * editor, asks, gets the fake provider's answer as it streams and inserts it into the post; Contributors and Authors
 * cannot; one key per provider; the site-wide daily cap; a database edit that moves a key to another provider makes
 * the plugin refuse; on 7.1 a key set only in Connectors serves the chat; uninstalling leaves nothing.
 */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAnswer, startFakeProvider, type FakeProvider, type ProviderId } from './support/fake-provider.mjs';
import { USERS, WORDPRESS_CORES, WordPressRig, type WpSession } from './support/wordpress-rig.js';
import {
  fakeKey,
  generatePlugin,
  notices,
  phpProblemsFrom,
  restPath,
  settingsPath,
  submitSettings,
  type GeneratedPlugin,
} from './wordpress/helpers.js';

/** Quotes and a closing script tag: the name reaches the editor's page inside an inline script. */
const NAME = `Acme "Writer" </script><script>alert(1)</script> O'Neil`;

/**
 * Anthropic has a connector in WordPress 7 (Settings > Connectors); Mistral and Groq have none, so the plugin keeps
 * their keys itself on both versions.
 */
const PROVIDERS: ProviderId[] = ['mistral', 'groq', 'anthropic'];

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
});

for (const core of WORDPRESS_CORES) {
  describe(`the plugin in WordPress ${core.version}`, () => {
    let rig: WordPressRig;
    let fake: FakeProvider;
    let plugin: GeneratedPlugin;
    let admin: WpSession;
    const keys = { mistral: fakeKey('mistral'), groq: fakeKey('groq') };
    /** Every key any test hands out, to scan every output for. */
    const secrets: string[] = [keys.mistral, keys.groq];
    /** Every answer the site sent to the browser or to a REST client. */
    const answers: string[] = [];

    beforeAll(async () => {
      [rig, fake] = await Promise.all([WordPressRig.start(core), startFakeProvider()]);
      plugin = await generatePlugin(NAME, PROVIDERS, fake);
      rig.installPlugin(plugin.dir);
      await rig.plugin('activate', plugin.file);
      admin = await rig.session().login(USERS.admin);
    });

    afterAll(async ({}, suite) => {
      await Promise.all([rig?.stop(suite), fake?.close()]);
      plugin?.cleanup();
    });

    const option = (name: string) => rig.sql(`SELECT option_value FROM wp_options WHERE option_name = '${name}'`);
    const roles = () => option('wp_user_roles');
    const capability = () => `${plugin.functionPrefix}_send_prompts`;

    async function chat(session: WpSession, prompt: string) {
      const result = await session.request(restPath(plugin), {
        json: { prompt },
        headers: { 'x-wp-nonce': await session.restNonce() },
      });
      answers.push(result.text);
      return { ...result, body: JSON.parse(result.text) as { text?: string; code?: string; message?: string } };
    }

    it('grants its own capability to Administrators and Editors on activation, and to nobody else', async () => {
      const stored = await roles();
      const rolesWithCap = [...stored.matchAll(/s:\d+:"(\w+)";a:2:\{s:4:"name";[\s\S]*?(?=s:\d+:"\w+";a:2:\{s:4:"name"|$)/g)]
        .filter((match) => match[0].includes(`"${capability()}";b:1;`))
        .map((match) => match[1]);
      expect(rolesWithCap.sort()).toEqual(['administrator', 'editor']);
    });

    it('grants the capability once to a site that had the plugin before it had one, and never again after', async () => {
      const hasCap = async (role: string) =>
        (await rig.php(`echo get_role( '${role}' )->has_cap( '${capability()}' ) ? 'yes' : 'no';`)).trim();
      // As on a site updated from a version without the capability: no version recorded, no capability anywhere.
      await rig.php(
        `delete_option( '${plugin.functionPrefix}_version' ); foreach ( wp_roles()->role_objects as $r ) { $r->remove_cap( '${capability()}' ); }`,
      );
      expect(await hasCap('editor')).toBe('no');
      expect((await admin.request('/wp-admin/')).status).toBe(200);
      expect([await hasCap('administrator'), await hasCap('editor'), await hasCap('author')]).toEqual(['yes', 'yes', 'no']);

      // An administrator who then takes it from Editors keeps it that way through later page loads.
      await rig.php(`get_role( 'editor' )->remove_cap( '${capability()}' );`);
      expect((await admin.request('/wp-admin/')).status).toBe(200);
      expect(await hasCap('editor')).toBe('no');
      await rig.php(`get_role( 'editor' )->add_cap( '${capability()}' );`);
    });

    it('keeps one key per provider: saving a second keeps the first, and switching back needs no new key', async () => {
      fake.addKey(keys.mistral, { providers: ['mistral'] });
      fake.addKey(keys.groq, { providers: ['groq'] });
      const first = await submitSettings(admin, plugin, { provider: 'mistral', api_key: keys.mistral, model: '' });
      expect(notices(first).map((notice) => notice.text)).toContain(`Key saved: …${keys.mistral.slice(-4)}`);
      const second = await submitSettings(admin, plugin, { provider: 'groq', api_key: keys.groq, model: '' });
      expect(notices(second).map((notice) => notice.text)).toContain(`Key saved: …${keys.groq.slice(-4)}`);

      const back = await submitSettings(admin, plugin, { provider: 'mistral', model: '' });
      expect(notices(back).filter((notice) => notice.type === 'error')).toEqual([]);
      expect(back).toContain(`Key saved: …${keys.mistral.slice(-4)}`);
      fake.reset();
      const answer = await chat(admin, 'which provider?');
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.text).toBe(fakeAnswer('mistral', 'which provider?'));
      expect(JSON.stringify(fake.requests.find((request) => request.method === 'POST')?.headers)).toContain(keys.mistral);
    });

    it('keeps each key encrypted and bound to its provider, with its last four characters beside it', async () => {
      const stored = await option(`${plugin.functionPrefix}_api_keys`);
      for (const [provider, key] of Object.entries(keys)) {
        expect(stored).toContain(`s:${provider.length}:"${provider}"`);
        expect(stored).toContain(`s:4:"${key.slice(-4)}"`);
        expect(stored.includes(key)).toBe(false);
      }
      expect(stored.match(/"v2:[A-Za-z0-9+/=]+"/g)).toHaveLength(2);
    });

    it('lets an editor ask in the block editor sidebar, see the answer stream in, and insert it into the post', async () => {
      fake.setStreamDelay(150);
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('response', async (response) => {
        if (response.url().includes('/wp-admin/') || response.url().includes('rest_route') || response.url().includes('/wp-json/')) {
          answers.push(await response.text().catch(() => ''));
        }
      });
      try {
        const sidebar = await openEditorSidebar(page, rig.url);
        const prompt = 'Write one sentence about tea';
        await sidebar.getByLabel('Prompt').fill(prompt);
        // apiFetch asks for ?rest_route=%2F<slug>%2Fv1%2Fchat on a site without pretty permalinks.
        const streamed = page.waitForResponse((response) => decodeURIComponent(response.url()).includes(`/${plugin.slug}/v1/chat`));
        await sidebar.getByRole('button', { name: 'Ask' }).click();
        // Busy while the answer arrives, with a way to stop it.
        await sidebar.getByRole('button', { name: 'Stop' }).waitFor();
        const response = await streamed;
        expect(response.headers()['content-type']).toContain('text/event-stream');

        const answer = sidebar.getByRole('region', { name: 'Answer' });
        const expected = fakeAnswer('mistral', prompt);
        // Part of the answer is on screen before the rest has arrived: it streams.
        await page.waitForFunction(
          ({ full }) => {
            const region = document.querySelector('[aria-label="Answer"]');
            const text = region?.textContent ?? '';
            return text.length > 0 && text.length < full.length;
          },
          { full: expected },
          { timeout: 20_000 },
        );
        await expect.poll(() => answer.innerText(), { timeout: 20_000 }).toBe(expected);

        await sidebar.getByRole('button', { name: 'Insert into post' }).click();
        const blocks = await page.evaluate(() =>
          (window as unknown as { wp: { data: { select: (store: string) => { getBlocks: () => Array<{ name: string; attributes: { content?: unknown } }> } } } })
            .wp.data.select('core/block-editor').getBlocks().map((block) => ({ name: block.name, content: String(block.attributes.content ?? '') })),
        );
        expect(blocks).toEqual([{ name: 'core/paragraph', content: expected }]);
        expect(dialogs).toEqual([]);
      } finally {
        fake.setStreamDelay(0);
        await page.close();
      }
    });

    it('stops an answer when the editor presses Stop, and explains a failure in plain words', async () => {
      fake.setStreamDelay(400);
      const page = await browser.newPage();
      try {
        const sidebar = await openEditorSidebar(page, rig.url);
        await sidebar.getByLabel('Prompt').fill('a long answer please, with many words in it');
        await sidebar.getByRole('button', { name: 'Ask' }).click();
        await page.waitForFunction(() => (document.querySelector('[aria-label="Answer"]')?.textContent ?? '').length > 0, null, { timeout: 20_000 });
        await sidebar.getByRole('button', { name: 'Stop' }).click();
        await expect.poll(() => sidebar.getByRole('button', { name: 'Ask' }).isEnabled()).toBe(true);
        const shown = await sidebar.getByRole('region', { name: 'Answer' }).innerText();
        expect(shown.length).toBeLessThan(fakeAnswer('mistral', 'a long answer please, with many words in it').length);
        expect(await sidebar.locator('.components-notice').count()).toBe(0);

        // A failure reads as a sentence for the person writing, not as a status code.
        fake.setStreamDelay(0);
        fake.nextResponse('mistral', { status: 401 });
        await sidebar.getByRole('button', { name: 'Ask' }).click();
        await expect
          .poll(() => sidebar.locator('.components-notice').innerText().catch(() => ''), { timeout: 20_000 })
          .toMatch(/Mistral refused the site's API key\. An administrator needs to check it in the plugin's settings\./);
      } finally {
        fake.setStreamDelay(0);
        await page.close();
      }
    });

    it('keeps the keyboard focus on the panel: Ask hands it to Stop, and Stop back to Ask when the answer is done', async () => {
      fake.setStreamDelay(300);
      const page = await browser.newPage();
      try {
        const sidebar = await openEditorSidebar(page, rig.url);
        const focused = () => page.evaluate(() => {
          const active = document.activeElement;
          return active && active !== document.body ? (active.textContent ?? '').trim() || active.tagName : 'BODY';
        });
        await sidebar.getByLabel('Prompt').fill('asked from the keyboard');
        await sidebar.getByRole('button', { name: 'Ask' }).focus();
        await page.keyboard.press('Enter');
        await sidebar.getByRole('button', { name: 'Stop' }).waitFor();
        await expect.poll(focused, { timeout: 10_000 }).toBe('Stop');
        await expect
          .poll(() => sidebar.getByRole('region', { name: 'Answer' }).innerText(), { timeout: 30_000 })
          .toBe(fakeAnswer('mistral', 'asked from the keyboard'));
        await expect.poll(focused, { timeout: 10_000 }).toBe('Ask');
      } finally {
        fake.setStreamDelay(0);
        await page.close();
      }
    }, 120_000);

    it('says so when a streamed answer ends before it is complete, and keeps what arrived', async () => {
      const page = await browser.newPage();
      try {
        const sidebar = await openEditorSidebar(page, rig.url);
        // What a browser sees when PHP's time limit or a proxy ends the response mid-answer: pieces of text, then the
        // end of the stream without the "done" event the route always sends last.
        await page.route(
          (url) => decodeURIComponent(url.toString()).includes(`/${plugin.slug}/v1/chat`),
          (route) => route.fulfill({
            status: 200,
            contentType: 'text/event-stream; charset=utf-8',
            body: 'event: text\ndata: {"text":"The first half"}\n\n',
          }),
        );
        await sidebar.getByLabel('Prompt').fill('an answer the host cuts short');
        await sidebar.getByRole('button', { name: 'Ask' }).click();
        await expect
          .poll(() => sidebar.locator('.components-notice').innerText().catch(() => ''), { timeout: 20_000 })
          .toMatch(/The answer stopped before it was complete/);
        expect(await sidebar.getByRole('region', { name: 'Answer' }).innerText()).toBe('The first half');
      } finally {
        await page.close();
      }
    }, 120_000);

    it('streams even when another plugin holds an output buffer that cannot be removed', async () => {
      // Output buffers started without PHP_OUTPUT_HANDLER_REMOVABLE (some caching and security plugins do this)
      // cannot be ended: a loop that ends buffers until none is left never finishes, and the request hangs.
      rig.writeMuPlugin('fixed-buffer', `<?php
add_action( 'rest_api_init', static function () {
	ob_start( null, 0, PHP_OUTPUT_HANDLER_STDFLAGS & ~PHP_OUTPUT_HANDLER_REMOVABLE );
} );
`);
      try {
        const editor = await rig.session().login(USERS.editor);
        const nonce = await editor.restNonce();
        const streamed = editor.request(restPath(plugin), { json: { prompt: 'through a fixed buffer', stream: true }, headers: { 'x-wp-nonce': nonce } });
        const result = await Promise.race([
          streamed,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the streamed request did not finish in 20 s')), 20_000)),
        ]);
        answers.push(result.text);
        expect(result.status, result.text).toBe(200);
        expect(result.headers.get('content-type')).toContain('text/event-stream');
        expect(result.text).toContain('event: done');
        expect(phpProblemsFrom(rig.debugLog(), plugin.slug)).toEqual([]);
      } finally {
        rig.removeMuPlugin('fixed-buffer');
      }
    });

    it('gives Contributors and Authors no sidebar, and 403 from the route', async () => {
      for (const user of [USERS.contributor, USERS.author]) {
        const session = await rig.session().login(user);
        const refused = await chat(session, 'may I?');
        expect(refused.status, user.login).toBe(403);
      }
      const page = await browser.newPage();
      try {
        await logIn(page, rig.url, USERS.contributor);
        await openEditor(page, rig.url);
        const scripts = await page.evaluate(() => [...document.scripts].map((script) => script.src).join('\n'));
        expect(scripts).not.toContain('editor-sidebar.js');
        expect(await page.getByRole('button', { name: NAME }).count()).toBe(0);
      } finally {
        await page.close();
      }
    });

    it('answers 429 beyond the site-wide daily limit, and shows today\'s and this month\'s usage', async () => {
      const editor = await rig.session().login(USERS.editor);
      const before = await admin.request(settingsPath(plugin));
      const today = Number(/<th scope="row">Today<\/th><td>([\d,]+)<\/td>/.exec(before.text)?.[1]?.replace(/,/g, ''));
      expect(today).toBeGreaterThanOrEqual(3);
      expect(before.text).toMatch(/<th scope="row">This month<\/th><td>[\d,]+<\/td><td>[1-9][\d,]*<\/td><td>[1-9][\d,]*<\/td>/);

      const shown = await submitSettings(admin, plugin, { daily_limit: String(today + 1) });
      expect(notices(shown).filter((notice) => notice.type === 'error')).toEqual([]);
      expect((await chat(editor, 'the last one today')).status).toBe(200);
      const refused = await chat(editor, 'one too many today');
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe(`${plugin.functionPrefix}_site_limit`);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(86_400 + 3600);
      await submitSettings(admin, plugin, { daily_limit: '1000' });
      expect((await chat(editor, 'limit raised')).status).toBe(200);
    });

    it('refuses, and sends nothing, when a database edit moves one provider\'s key to another', async () => {
      const name = `${plugin.functionPrefix}_api_keys`;
      const stored = await option(name);
      const ciphertext = (provider: string) =>
        new RegExp(`s:${provider.length}:"${provider}";a:3:\\{s:10:"ciphertext";(s:\\d+:"v2:[^"]+";)`).exec(stored)![1]!;
      const [mistral, groq] = [ciphertext('mistral'), ciphertext('groq')];
      const swapped = stored.replace(mistral, '\u0000M').replace(groq, mistral).replace('\u0000M', groq);
      await rig.sql(`UPDATE wp_options SET option_value = '${swapped.replace(/'/g, "''")}' WHERE option_name = '${name}'`);
      try {
        fake.reset();
        const refused = await chat(admin, 'send the groq key to mistral');
        expect(refused.status).toBe(503);
        expect(refused.body.message).toMatch(/made for another provider/);
        expect(fake.requests).toEqual([]);
      } finally {
        await rig.sql(`UPDATE wp_options SET option_value = '${stored.replace(/'/g, "''")}' WHERE option_name = '${name}'`);
      }
      expect((await chat(admin, 'restored')).status).toBe(200);
    });

    it('redacts a key in a long upstream error body before cutting it short for the log', async () => {
      const logBefore = rig.debugLog().length;
      // The key straddles the 500th character of the body ({"error":{"message":" is 22 characters): cutting first
      // and redacting second would leave its first 16 characters in clear, which no redactor recognises.
      const filler = 500 - 16 - '{"error":{"message":"'.length;
      fake.nextResponse('mistral', { status: 500, body: { error: { message: `${'x'.repeat(filler)}{{key}} trailing` } }, echoKey: true });
      const failed = await chat(admin, 'fail with my key in the body');
      expect(failed.status).toBe(502);
      const logged = rig.debugLog().slice(logBefore);
      expect(logged).toContain(`[${plugin.slug}]`);
      expect(logged).toContain('x'.repeat(100));
      expect(logged.includes(keys.mistral.slice(0, 12))).toBe(false);
    });

    it('reports in Site Health and suggests privacy-policy text', async () => {
      // The Site Health screen runs the tests (the provider check through the plugin's REST route) and lists them.
      fake.reset();
      const page = await browser.newPage();
      try {
        await logIn(page, rig.url, USERS.admin);
        await page.goto(`${rig.url}/wp-admin/site-health.php`);
        const expected = [
          'An API key is set up and can be read.',
          'The key is encrypted with secrets from wp-config.php',
          'Mistral answered and accepted the key.',
        ];
        await page.waitForFunction(
          (texts) => texts.every((text) => document.body.textContent?.includes(text)),
          expected,
          { timeout: 30_000 },
        );
        answers.push(await page.content());
      } finally {
        await page.close();
      }
      expect(fake.requests.map((request) => `${request.method} ${request.provider}${request.path}`)).toEqual(['GET mistral/v1/models']);
      const editor = await rig.session().login(USERS.editor);
      const refused = await editor.request(`/?rest_route=/${plugin.slug}/v1/site-health/provider`, {
        headers: { 'x-wp-nonce': await editor.restNonce() },
      });
      expect(refused.status).toBe(403);

      const privacy = await admin.request('/wp-admin/privacy-policy-guide.php');
      expect(privacy.status).toBe(200);
      expect(privacy.text).toMatch(/Our editors may use an AI service \(\w+\) to help write content/);
    });

    if (core.version === '7.1') {
      const connectorKey = fakeKey('anthropic');
      const constantKey = fakeKey('anthropic');
      const environmentKey = fakeKey('anthropic');
      secrets.push(connectorKey, constantKey, environmentKey);

      it('uses a key set only in Settings > Connectors, says so with a link, and stores nothing', async () => {
        fake.addKey(connectorKey, { providers: ['anthropic'] });
        fake.addKey(constantKey, { providers: ['anthropic'] });
        fake.addKey(environmentKey, { providers: ['anthropic'] });
        const switched = await submitSettings(admin, plugin, { provider: 'anthropic', model: '' });
        // No key field for a provider core has a connector for: the page points to Connectors instead.
        expect(switched).not.toMatch(new RegExp(`id="${plugin.slug}-api-key"`));
        expect(switched).toContain('Kept in Settings &gt; Connectors (see above).');
        expect(notices(switched).map((notice) => notice.text).join('\n')).toMatch(/No Anthropic key yet\. Add it in Settings > Connectors/);
        expect(switched).toContain('options-connectors.php');

        // What the Connectors screen stores (core keeps it in plain text: its choice, not the plugin's).
        await rig.sql(`INSERT INTO wp_options (option_name, option_value, autoload) VALUES ('connectors_ai_anthropic_api_key', '${connectorKey}', 'yes')`);
        const page = await admin.request(settingsPath(plugin));
        expect(notices(page.text).map((notice) => notice.text).join('\n')).toMatch(/The Anthropic key comes from Settings > Connectors\./);
        expect(page.text).toMatch(/<a href="[^"]*options-connectors\.php">Settings &gt; Connectors<\/a>/);
        expect(page.text.includes(connectorKey)).toBe(false);

        fake.reset();
        const editor = await rig.session().login(USERS.editor);
        const answer = await chat(editor, 'through connectors');
        expect(answer.status, answer.text).toBe(200);
        expect(answer.body.text).toBe(fakeAnswer('anthropic', 'through connectors'));
        expect(JSON.stringify(fake.requests.find((request) => request.method === 'POST')?.headers)).toContain(connectorKey);

        const rows = await rig.sql(`SELECT option_name FROM wp_options WHERE INSTR(option_value, '${connectorKey}') > 0`);
        expect(rows.trim().split('\n')).toEqual(['connectors_ai_anthropic_api_key']);
        expect(await option(`${plugin.functionPrefix}_api_keys`)).not.toContain('anthropic');
      });

      it('prefers the connector\'s environment variable, then its constant, to its option: core\'s order', async () => {
        rig.writeMuPlugin('connector-constant', `<?php\ndefine( 'ANTHROPIC_API_KEY', '${constantKey}' );\n`);
        try {
          const page = await admin.request(settingsPath(plugin));
          expect(notices(page.text).map((notice) => notice.text).join('\n')).toMatch(/reads it from the ANTHROPIC_API_KEY constant/);
          fake.reset();
          const answer = await chat(admin, 'through the constant');
          expect(answer.status, answer.text).toBe(200);
          const sent = JSON.stringify(fake.requests.find((request) => request.method === 'POST')?.headers);
          expect(sent).toContain(constantKey);
          expect(sent).not.toContain(connectorKey);

          // The environment variable comes first of all (set for the request, as a server's environment would).
          rig.writeMuPlugin('connector-env', `<?php\nputenv( 'ANTHROPIC_API_KEY=${environmentKey}' );\n`);
          const withEnv = await admin.request(settingsPath(plugin));
          expect(notices(withEnv.text).map((notice) => notice.text).join('\n')).toMatch(/reads it from the ANTHROPIC_API_KEY environment variable/);
          fake.reset();
          expect((await chat(admin, 'through the environment')).status).toBe(200);
          expect(JSON.stringify(fake.requests.find((request) => request.method === 'POST')?.headers)).toContain(environmentKey);
        } finally {
          rig.removeMuPlugin('connector-env');
          rig.removeMuPlugin('connector-constant');
          await rig.sql(`DELETE FROM wp_options WHERE option_name = 'connectors_ai_anthropic_api_key'`);
        }
        expect(await option(`${plugin.functionPrefix}_api_keys`)).not.toContain('anthropic');
      });
    }

    it('left no key in debug.log, the answers or the database in clear, and no PHP notice from the plugin', async () => {
      const dump = await rig.dump();
      const log = rig.debugLog();
      for (const secret of secrets) {
        expect(log.includes(secret), 'debug.log').toBe(false);
        expect(answers.some((answer) => answer.includes(secret)), 'an answer').toBe(false);
        expect(dump.includes(secret), 'the database').toBe(false);
      }
      for (const path of [settingsPath(plugin), '/wp-admin/site-health.php', '/wp-admin/privacy-policy-guide.php']) {
        expect((await admin.request(path)).status, path).toBe(200);
      }
      expect(phpProblemsFrom(rig.debugLog(), plugin.slug)).toEqual([]);
    });

    it('removes everything when uninstalled, the capability included', async () => {
      expect(await roles()).toContain(capability());
      await rig.plugin('uninstall', plugin.file);
      const left = await rig.sql(`SELECT option_name FROM wp_options WHERE INSTR(option_name, '${plugin.functionPrefix}') > 0`);
      expect(left).toBe('');
      expect(await roles()).not.toContain(capability());
      expect(phpProblemsFrom(rig.debugLog(), plugin.slug)).toEqual([]);
    });
  });
}

async function logIn(page: Page, url: string, user: { login: string; password: string }): Promise<void> {
  await page.goto(`${url}/wp-login.php`);
  await page.getByLabel('Username or Email Address').fill(user.login);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await Promise.all([page.waitForURL(/wp-admin/), page.getByRole('button', { name: 'Log In' }).click()]);
}

/** Opens a new post in the block editor and closes the welcome guide if it shows. */
async function openEditor(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/wp-admin/post-new.php`);
  await page.waitForFunction(() => Boolean((window as unknown as { wp?: { data?: unknown } }).wp?.data), null, { timeout: 60_000 });
  const guide = page.getByRole('dialog').getByRole('button', { name: 'Close' });
  await guide.click({ timeout: 5_000 }).catch(() => undefined);
}

/** Logs in as the editor, opens a new post and the plugin's sidebar in it; returns the sidebar. */
async function openEditorSidebar(page: Page, url: string): Promise<Locator> {
  await logIn(page, url, USERS.editor);
  await openEditor(page, url);
  await openSidebar(page, NAME);
  return page.locator('.interface-complementary-area');
}

/** Opens the plugin's sidebar from the editor's Options menu ("⋮"), as a user who has not pinned it would. */
async function openSidebar(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Options', exact: true }).click();
  await page.getByRole('menuitemcheckbox', { name }).or(page.getByRole('menuitem', { name })).first().click();
  await page.locator('.interface-complementary-area').getByLabel('Prompt').waitFor({ timeout: 20_000 });
}
