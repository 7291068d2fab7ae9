/**
 * The generated WordPress plugin in a real WordPress (MariaDB, php -S), against the fake provider, on both versions
 * the pattern supports: Debian 12's 6.1 and Debian's current 7.1. One WordPress per version, one plugin per provider
 * family (and a two-provider plugin), each with a name built to break templates. Each plugin goes through what an
 * administrator and its users do, then is uninstalled.
 *
 * This suite is about the plugin's own key store. On 7.1 it runs with WP_AI_SUPPORT false (a site that turned
 * WordPress's AI features off), where core registers no AI connectors and the plugin keeps its own keys as on 6.x;
 * test/wordpress-editor.test.ts covers 7.1 with Connectors on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAnswer, startFakeProvider, type FakeProvider, type ProviderId } from './support/fake-provider.mjs';
import { decodeEntities, phpLint, USERS, WORDPRESS_CORES, WordPressRig, type WpSession } from './support/wordpress-rig.js';
import {
  fakeKey,
  generatePlugin,
  keyFieldValue,
  notices,
  phpProblemsFrom,
  restPath,
  settingsPath,
  submitSettings,
  type GeneratedPlugin,
} from './wordpress/helpers.js';

/**
 * The editor's limit, set through the plugin's rate-limit filter so that 429 comes quickly. Other users keep the
 * default (10 per minute).
 */
const TEST_RATE_LIMIT = 3;

/** Nothing listens on the discard port: connections are refused at once. */
const DEAD_URL = 'http://127.0.0.1:9';

interface Case {
  providers: ProviderId[];
  /** A display name with quotes, a backslash, closers of every host language, interpolation and emoji. */
  name: string;
  /**
   * Generate with a --base-url where nothing listens, and reach the fake through the plugin's base-URL constant
   * instead: proves the unreachable path and the constant.
   */
  deadDefault?: boolean;
}

const CASES: Case[] = [
  { providers: ['anthropic'], name: `Acme "Quoted" \\ </script> */ ?> \${x} 🚀 One` },
  { providers: ['openai'], name: `O'Brien's \\n </script><script>alert(1)</script> */ ?> \${y} 🔑 Two` },
  { providers: ['google'], name: `<?php exit; ?> "Three" \\' */ \${z} {{w}} 日本語`, deadDefault: true },
  { providers: ['anthropic', 'openai'], name: `Four </textarea> "both" \\ */ ?> \${v} 🚀🔑` },
];

let rig: WordPressRig;
let fake: FakeProvider;

/** Every place a key could leak to: the database (all of it), WordPress's log, the web server's log. */
async function leakSurfaces(): Promise<Record<string, string>> {
  return { 'mariadb-dump': await rig.dump(), 'debug.log': rig.debugLog(), 'php-server.log': rig.serverLog() };
}

async function expectNowhere(secret: string): Promise<void> {
  for (const [where, text] of Object.entries(await leakSurfaces())) {
    expect(text.includes(secret), `the key appears in ${where}`).toBe(false);
  }
}

/** Rows of wp_options whose name contains the plugin's prefix. */
async function pluginOptions(plugin: GeneratedPlugin): Promise<string[]> {
  const rows = await rig.sql(
    `SELECT option_name FROM wp_options WHERE INSTR(option_name, '${plugin.functionPrefix}') > 0 ORDER BY option_name`,
  );
  return rows.split('\n').filter(Boolean);
}

async function chat(session: WpSession, plugin: GeneratedPlugin, prompt: string, nonce?: string) {
  const result = await session.request(restPath(plugin), {
    json: { prompt },
    headers: nonce ? { 'x-wp-nonce': nonce } : {},
  });
  return { ...result, body: JSON.parse(result.text) as { text?: string; code?: string; message?: string } };
}

for (const core of WORDPRESS_CORES) {
  describe(`in WordPress ${core.version}`, () => {
    beforeAll(async () => {
      [rig, fake] = await Promise.all([WordPressRig.start(core), startFakeProvider()]);
      if (core.version === '7.1') rig.writeMuPlugin('no-ai-connectors', "<?php\ndefine( 'WP_AI_SUPPORT', false );\n");
    });

    afterAll(async ({}, suite) => {
      await Promise.all([rig?.stop(suite), fake?.close()]);
    });

    for (const testCase of CASES) {
      const first = testCase.providers[0]!;

      describe(`wordpress plugin for ${testCase.providers.join(' + ')}`, () => {
        let plugin: GeneratedPlugin;
        let admin: WpSession;
        let editor: WpSession;
        let editorNonce: string;
        const validKey = fakeKey(first);
        const invalidKey = fakeKey(first);
        /** Where debug.log stood before this plugin was installed. */
        let logOffset = 0;

        afterAll(() => plugin?.cleanup());

        it('generates a plugin whose every PHP file passes php -l', async () => {
          plugin = testCase.deadDefault
            ? await generatePlugin(testCase.name, testCase.providers, null, ['--base-url', `${first}=${DEAD_URL}/${first}`])
            : await generatePlugin(testCase.name, testCase.providers, fake);
          expect(plugin.phpFiles.length).toBeGreaterThanOrEqual(9);
          for (const file of plugin.phpFiles) expect(await phpLint(file)).toContain('No syntax errors');
        });

        it('activates, and an administrator finds its settings page with the name shown as typed', async () => {
          logOffset = rig.debugLog().length;
          rig.installPlugin(plugin.dir);
          expect(await rig.plugin('activate', plugin.file)).toContain(plugin.file);
          // Through the plugin's own filter: a lower limit, so that the 429 test needs few calls.
          rig.writeMuPlugin(
            `limit-${plugin.slug}`,
            `<?php\nadd_filter( '${plugin.functionPrefix}_rate_limit', function ( $limit, $user_id ) {\n` +
              `\treturn 'editor' === get_userdata( $user_id )->user_login ? ${TEST_RATE_LIMIT} : $limit;\n}, 10, 2 );\n`,
          );
          admin = await rig.session().login(USERS.admin);

          const page = await admin.request(settingsPath(plugin));
          expect(page.status).toBe(200);
          const heading = /<h1>([^<]*)<\/h1>/.exec(page.text)?.[1];
          expect(heading && decodeEntities(heading)).toBe(testCase.name);
          // The name's closers never reach the page unescaped.
          expect(page.text).not.toContain('<script>alert(1)');
          expect(page.text).not.toContain('<?php exit');
          expect(page.text).toMatch(/<label for="[^"]+-api-key">API key<\/label>/);
          expect(page.text.includes(`-provider"`)).toBe(testCase.providers.length > 1);
          expect(notices(page.text).filter((notice) => notice.type === 'error')).toEqual([]);
        });

        if (testCase.deadDefault) {
          it('says the provider is unreachable and stores nothing, then follows the base-URL constant', async () => {
            fake.addKey(validKey, { providers: testCase.providers });
            const shown = await submitSettings(admin, plugin, { api_key: validKey });
            expect(notices(shown).find((notice) => notice.type === 'error')?.text).toMatch(/Could not reach .+ to check the key/);
            expect(await pluginOptions(plugin)).not.toContain(`${plugin.functionPrefix}_api_keys`);
            rig.writeMuPlugin(
              `base-url-${plugin.slug}`,
              `<?php\ndefine( '${plugin.constantPrefix}_${first.toUpperCase()}_BASE_URL', '${fake.baseUrl(first)}' );\n`,
            );
          });
        }

        it('refuses an invalid key: an error notice, and nothing stored', async () => {
          const shown = await submitSettings(admin, plugin, { api_key: invalidKey });
          const errors = notices(shown).filter((notice) => notice.type === 'error');
          expect(errors.map((notice) => notice.text).join('\n')).toMatch(/rejected this API key/);
          expect(shown.includes(invalidKey)).toBe(false);
          expect(await pluginOptions(plugin)).not.toContain(`${plugin.functionPrefix}_api_keys`);
          await expectNowhere(invalidKey);
        });

        it('refuses, without sending it anywhere, a pasted value that cannot be a key', async () => {
          fake.reset();
          const option = `${plugin.functionPrefix}_settings`;
          // The masked key the page shows, copied back; a key followed by a line break and a header of its own.
          for (const pasted of [`…${validKey.slice(-4)}`, `${validKey.slice(0, 20)} ${validKey.slice(20)}`, `${invalidKey}\r\nx-injected: 1`]) {
            const shown = await submitSettings(admin, plugin, { api_key: pasted });
            const errors = notices(shown).filter((notice) => notice.type === 'error');
            expect(errors.map((notice) => notice.text).join('\n'), JSON.stringify(pasted)).toMatch(/That is not an API key/);
          }
          // A field posted as an array (no browser sends one) counts as empty: no "Array" sent, no PHP warning.
          await submitSettings(admin, plugin, {}, { [`${option}[api_key][]`]: invalidKey, [`${option}[model][]`]: 'x' });
          expect(fake.requests).toEqual([]);
          expect(await pluginOptions(plugin)).not.toContain(`${plugin.functionPrefix}_api_keys`);
          expect(phpProblemsFrom(rig.debugLog().slice(logOffset), plugin.slug)).toEqual([]);
        });

        it('checks a valid key with the provider, stores it, and shows only its last four characters', async () => {
          fake.addKey(validKey, { providers: testCase.providers });
          fake.reset();
          const shown = await submitSettings(admin, plugin, { api_key: validKey });
          const success = notices(shown).filter((notice) => notice.type === 'success');
          expect(success.map((notice) => notice.text)).toContain(`Key saved: …${validKey.slice(-4)}`);
          expect(keyFieldValue(shown, plugin)).toBe('');
          expect(shown.includes(validKey)).toBe(false);

          // The check was the catalog's free call, with the key in a header and never in the URL.
          const checks = fake.requests.filter((request) => request.provider === first);
          expect(checks.map((request) => `${request.method} ${request.path}`)).toEqual([
            first === 'google' ? 'GET /v1beta/models' : 'GET /v1/models',
          ]);
          expect(checks[0]!.query.includes(validKey)).toBe(false);
          expect(JSON.stringify(checks[0]!.headers)).toContain(validKey);
        });

        it('keeps only ciphertext: the key is absent from the option, a full database dump and the logs', async () => {
          const stored = await rig.sql(`SELECT option_value FROM wp_options WHERE option_name = '${plugin.functionPrefix}_api_keys'`);
          const ciphertext = /"(v2:[A-Za-z0-9+/=]+)"/.exec(stored)?.[1];
          expect(ciphertext, stored).toBeDefined();
          const raw = Buffer.from(ciphertext!.slice(3), 'base64');
          // 24-byte nonce + the key's bytes + 16-byte tag: the key is in there, encrypted, and nothing else.
          expect(raw.length).toBe(24 + Buffer.byteLength(validKey) + 16);
          expect(raw.includes(Buffer.from(validKey))).toBe(false);
          expect(stored.includes(validKey)).toBe(false);
          await expectNowhere(validKey);
        });

        it('answers an editor through the REST route, from the provider', async () => {
          editor = await rig.session().login(USERS.editor);
          editorNonce = await editor.restNonce();
          fake.reset();
          const prompt = 'Say hi </script> "quoted" 🚀';
          const result = await chat(editor, plugin, prompt, editorNonce);
          expect(result.status, result.text).toBe(200);
          expect(result.body).toEqual({ text: fakeAnswer(first, prompt) });
          expect(result.headers.get('ratelimit-policy')).toBe(`"per-user";q=${TEST_RATE_LIMIT};w=60`);
          const calls = fake.requests.filter((request) => request.provider === first && request.method === 'POST');
          expect(calls).toHaveLength(1);
          expect(calls[0]!.query.includes(validKey)).toBe(false);
        });

        it('answers 429 with Retry-After beyond the per-user limit', async () => {
          for (let call = 2; call <= TEST_RATE_LIMIT; call++) {
            expect((await chat(editor, plugin, `call ${call}`, editorNonce)).status).toBe(200);
          }
          const limited = await chat(editor, plugin, 'one too many', editorNonce);
          expect(limited.status).toBe(429);
          expect(limited.body.code).toBe(`${plugin.functionPrefix}_rate_limited`);
          const retryAfter = Number(limited.headers.get('retry-after'));
          expect(retryAfter).toBeGreaterThanOrEqual(1);
          expect(retryAfter).toBeLessThanOrEqual(60);
        });

        it('refuses a subscriber (403) and a request without the REST nonce (401)', async () => {
          const subscriber = await rig.session().login(USERS.subscriber);
          const forbidden = await chat(subscriber, plugin, 'hello', await subscriber.restNonce());
          expect(forbidden.status).toBe(403);
          const noNonce = await chat(editor, plugin, 'hello');
          expect(noNonce.status).toBe(401);
          const anonymous = await chat(rig.session(), plugin, 'hello');
          expect(anonymous.status).toBe(401);
        });

        it('keeps the key out of the answer and the log when the provider echoes it in an error', async () => {
          fake.nextResponse(first, { status: 401, echoKey: true });
          const result = await chat(admin, plugin, 'echo my key', await admin.restNonce());
          expect(result.status).toBe(502);
          expect(result.body.code).toBe(`${plugin.functionPrefix}_key_refused`);
          expect(result.text.includes(validKey)).toBe(false);
          // The upstream body was logged (WP_DEBUG is on), redacted.
          const logged = rig.debugLog().slice(logOffset);
          expect(logged).toContain(`[${plugin.slug}]`);
          expect(logged).toContain('[redacted]');
          await expectNowhere(validKey);
        });

        it('does not follow a redirect from the provider: the key header would go along', async () => {
          fake.reset();
          const elsewhere = `${fake.url}/elsewhere/collect`;
          fake.nextResponse(first, { status: 307, body: '', headers: { location: elsewhere } });
          const result = await chat(admin, plugin, 'redirect me', await admin.restNonce());
          expect(result.status).toBe(502);
          expect(result.body.code).toBe(`${plugin.functionPrefix}_provider_error`);
          expect(fake.requests.map((request) => `${request.method} /${request.provider}${request.path}`)).toEqual([
            expect.stringMatching(new RegExp(`^POST /${first}/`)),
          ]);
        });

        if (testCase.providers.length > 1) {
          const second = testCase.providers[1]!;
          const secondKey = fakeKey(second);

          it('needs a key for the new provider to switch, then answers from it, keeping the first provider\'s key', async () => {
            const refused = await submitSettings(admin, plugin, { provider: second, model: '' });
            expect(notices(refused).find((notice) => notice.type === 'error')?.text).toMatch(/To switch to .+, enter an API key for it/);
            expect(await rig.sql(`SELECT option_value FROM wp_options WHERE option_name = '${plugin.functionPrefix}_settings'`))
              .toContain(`"${first}"`);

            fake.addKey(secondKey, { providers: [second] });
            const saved = await submitSettings(admin, plugin, { provider: second, api_key: secondKey, model: '' });
            expect(notices(saved).map((notice) => notice.text)).toContain(`Key saved: …${secondKey.slice(-4)}`);
            const answer = await chat(admin, plugin, 'from the second', await admin.restNonce());
            expect(answer.body).toEqual({ text: fakeAnswer(second, 'from the second') });

            // Back to the first provider without entering its key again: it was kept.
            const back = await submitSettings(admin, plugin, { provider: first, model: '' });
            expect(notices(back).filter((notice) => notice.type === 'error')).toEqual([]);
            expect((await chat(admin, plugin, 'from the first', await admin.restNonce())).body).toEqual({ text: fakeAnswer(first, 'from the first') });
            await submitSettings(admin, plugin, { provider: second, model: '' });
          });

          it('lets a provider\'s constant in wp-config.php take precedence, and never sends it to another provider', async () => {
            const constantKey = fakeKey(second);
            const constant = `${plugin.constantPrefix}_${second.toUpperCase()}_API_KEY`;
            fake.addKey(constantKey, { providers: [second] });
            rig.writeMuPlugin(`constant-${plugin.slug}`, `<?php\ndefine( '${constant}', '${constantKey}' );\n`);
            const settingsOption = `${plugin.functionPrefix}_settings`;
            try {
              const page = await admin.request(settingsPath(plugin));
              expect(notices(page.text).map((notice) => notice.text).join('\n')).toContain(
                `The API key comes from the ${constant} constant in wp-config.php, which takes precedence over every other key`,
              );
              expect(keyFieldValue(page.text, plugin)).toBeUndefined();
              expect(page.text.includes(constantKey)).toBe(false);
              fake.reset();
              const answer = await chat(admin, plugin, 'constant', await admin.restNonce());
              expect(answer.status, answer.text).toBe(200);
              const call = fake.requests.find((request) => request.method === 'POST');
              expect(JSON.stringify(call?.headers)).toContain(constantKey);

              // A database edit selects the other provider: the constant stays with its own, the first provider gets
              // its own saved key.
              await rig.php(`$s = get_option( '${settingsOption}' ); $s['provider'] = '${first}'; update_option( '${settingsOption}', $s );`);
              fake.reset();
              const redirected = await chat(admin, plugin, 'redirected', await admin.restNonce());
              expect(redirected.body).toEqual({ text: fakeAnswer(first, 'redirected') });
              expect(JSON.stringify(fake.requests)).not.toContain(constantKey);

              // The provider-less name is ignored in a plugin with several providers, and the settings page says so.
              rig.writeMuPlugin(`constant-${plugin.slug}`, `<?php\ndefine( '${plugin.constantPrefix}_API_KEY', '${constantKey}' );\n`);
              const ignored = await admin.request(settingsPath(plugin));
              expect(notices(ignored.text).map((notice) => notice.text).join('\n')).toContain(`${plugin.constantPrefix}_API_KEY is ignored`);
              fake.reset();
              const generic = await chat(admin, plugin, 'generic', await admin.restNonce());
              expect(generic.body).toEqual({ text: fakeAnswer(first, 'generic') });
              expect(JSON.stringify(fake.requests)).not.toContain(constantKey);
            } finally {
              rig.removeMuPlugin(`constant-${plugin.slug}`);
              await rig.php(`$s = get_option( '${settingsOption}' ); $s['provider'] = '${second}'; update_option( '${settingsOption}', $s );`);
            }
          });

          it('removes the stored key with "Remove key"', async () => {
            const page = await admin.request(settingsPath(plugin));
            const nonce = /name="_wpnonce" value="([^"]+)"/g;
            const nonces = [...page.text.matchAll(nonce)].map((match) => match[1]);
            const form = /<form method="post" action="[^"]*admin-post\.php"[^>]*>([\s\S]*?)<\/form>/.exec(page.text)?.[1] ?? '';
            const forgetNonce = /name="_wpnonce" value="([^"]+)"/.exec(form)?.[1];
            expect(forgetNonce).toBeDefined();
            expect(nonces).toContain(forgetNonce);
            const action = /name="action" value="([^"]+)"/.exec(form)![1]!;
            const provider = /name="provider" value="([^"]+)"/.exec(form)![1]!;
            expect(provider).toBe(second);

            // Without the nonce WordPress refuses, and the key stays.
            const forged = await admin.request('/wp-admin/admin-post.php', { form: { action, provider } });
            expect(forged.status).toBe(403);
            expect(await pluginOptions(plugin)).toContain(`${plugin.functionPrefix}_api_keys`);

            const removed = await admin.follow(
              await admin.request('/wp-admin/admin-post.php', { form: { action, provider, _wpnonce: forgetNonce! } }),
            );
            expect(notices(removed.text).map((notice) => notice.text)).toContain('Key removed.');
            // That provider's key only: the other provider keeps its own.
            const left = await rig.sql(`SELECT option_value FROM wp_options WHERE option_name = '${plugin.functionPrefix}_api_keys'`);
            expect(left).not.toContain(`"${second}"`);
            expect(left).toContain(`"${first}"`);
            // Put a key back for the salt test below.
            await submitSettings(admin, plugin, { api_key: secondKey });
          });
        }

        it('asks for the key again when the site\'s salts change: no fatal error, no garbage', async () => {
          rig.setSecret('LOGGED_IN_SALT', `rotated-${Date.now()}`);
          try {
            // New salts log everyone out, as on a real site.
            admin = await rig.session().login(USERS.admin);
            const page = await admin.request(settingsPath(plugin));
            expect(page.status).toBe(200);
            const text = notices(page.text).map((notice) => notice.text).join('\n');
            expect(text).toMatch(/can no longer be decrypted/);
            expect(text).toMatch(/enter the key again/i);
            expect(page.text).not.toContain('Key saved:');

            fake.reset();
            const result = await chat(admin, plugin, 'after rotation', await admin.restNonce());
            expect(result.status).toBe(503);
            expect(result.body.code).toBe(`${plugin.functionPrefix}_no_key`);
            expect(fake.requests.filter((request) => request.method === 'POST')).toEqual([]);
          } finally {
            rig.setSecret('LOGGED_IN_SALT', 'rig-logged-in-salt');
          }
        });

        it('warns when the salts it encrypts with are kept in the database instead of wp-config.php', async () => {
          const warning = /secrets that WordPress keeps in its own database/;
          admin = await rig.session().login(USERS.admin);
          const before = await admin.request(settingsPath(plugin));
          expect(before.status).toBe(200);
          expect(notices(before.text).map((notice) => notice.text).join('\n')).not.toMatch(warning);
          // The value wp-config-sample.php ships: WordPress ignores it, generates a key and stores it as an option.
          rig.setSecret('LOGGED_IN_KEY', 'put your unique phrase here');
          try {
            admin = await rig.session().login(USERS.admin);
            const page = await admin.request(settingsPath(plugin));
            const warnings = notices(page.text).filter((notice) => notice.type === 'warning');
            expect(warnings.map((notice) => notice.text).join('\n')).toMatch(warning);
          } finally {
            rig.setSecret('LOGGED_IN_KEY', 'rig-logged-in-key');
          }
        });

        it('adds no PHP notice or warning from its files to debug.log while its pages are used', async () => {
          admin = await rig.session().login(USERS.admin);
          for (const page of [settingsPath(plugin), '/wp-admin/plugins.php', '/wp-admin/', '/wp-admin/options-general.php']) {
            expect((await admin.request(page)).status, page).toBe(200);
          }
          expect(phpProblemsFrom(rig.debugLog().slice(logOffset), plugin.slug)).toEqual([]);
        });

        it('removes everything it stored when uninstalled', async () => {
          const before = await pluginOptions(plugin);
          // Settings, the encrypted key, and rate-limit counters (transients) are there to be removed.
          expect(before).toContain(`${plugin.functionPrefix}_settings`);
          expect(before).toContain(`${plugin.functionPrefix}_api_keys`);
          expect(before.some((name) => name.startsWith(`_transient_${plugin.functionPrefix}_rl_`))).toBe(true);

          rig.removeMuPlugin(`limit-${plugin.slug}`);
          rig.removeMuPlugin(`base-url-${plugin.slug}`);
          await rig.plugin('uninstall', plugin.file);
          expect(await pluginOptions(plugin)).toEqual([]);
          expect(phpProblemsFrom(rig.debugLog().slice(logOffset), plugin.slug)).toEqual([]);
        });
      });
    }
  });
}
