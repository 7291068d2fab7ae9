import { describe, expect, it } from 'vitest';
import { PROVIDERS, PROVIDER_IDS, findProvider } from '../src/providers/index.js';
import { fakeKey, KEY_SHAPES } from './support/fake-keys.js';
import type { ProviderId } from './support/fake-provider.mjs';

describe('provider catalog', () => {
  it('has the eight providers the generator promises, with unique lower-case ids', () => {
    expect([...PROVIDER_IDS].sort()).toEqual(
      ['anthropic', 'deepseek', 'google', 'groq', 'mistral', 'openai', 'openrouter', 'xai'].sort(),
    );
    for (const id of PROVIDER_IDS) expect(id).toMatch(/^[a-z][a-z0-9]*$/);
  });

  it.each(PROVIDERS.map((provider) => [provider.id, provider] as const))('%s is complete and consistent', (_id, provider) => {
    expect(new URL(provider.origin).protocol).toBe('https:');
    expect(new URL(provider.origin).pathname).toBe('/');
    expect(provider.origin.endsWith('/')).toBe(false);
    for (const p of [provider.keyCheck.path, provider.models.path, provider.chat.path, ...provider.proxyPaths]) {
      expect(p.startsWith('/')).toBe(true);
    }
    // The key travels in a header, never in a URL.
    for (const p of [provider.keyCheck.path, provider.models.path, provider.chat.path, provider.chat.streamPath ?? '']) {
      expect(p).not.toMatch(/[?&]key=/);
    }
    expect(provider.models.default).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/);
    expect(provider.keyCheck.rules.some((rule) => rule.outcome === 'invalid')).toBe(true);
    expect(provider.keyCheck.rules.some((rule) => rule.outcome === 'rate-limited' && rule.status === 429)).toBe(true);
    if (provider.keyPattern) expect(() => new RegExp(provider.keyPattern!)).not.toThrow();
    // The proxy forwards the chat call and the key check.
    const allowed = provider.proxyPaths.map(
      (p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/\*\*$/, '(?:/[^/]+)+').replace(/\*/g, '[^/]+')}$`),
    );
    const chatPath = provider.chat.path.replace('{model}', 'some-model');
    expect(allowed.some((re) => re.test(chatPath))).toBe(true);
    expect(allowed.some((re) => re.test(provider.keyCheck.path))).toBe(true);
    // DELETE: one stored resource by id, on a path the proxy already forwards.
    for (const p of provider.proxyDeletePaths) {
      expect(p).toMatch(/^\/[\w/.-]+\/\*$/);
      expect(allowed.some((re) => re.test(p.replace(/\*$/, 'item_123')))).toBe(true);
    }
    for (const link of Object.values(provider.links)) expect(new URL(link).protocol).toBe('https:');
  });

  it('decides per provider which routes and request headers a proxy forwards', () => {
    const paths = (id: string) => findProvider(id)!.proxyPaths;
    expect(paths('openai')).toEqual(expect.arrayContaining(['/v1/responses/**', '/v1/embeddings', '/v1/batches/**', '/v1/files/**']));
    expect(paths('anthropic')).toEqual(expect.arrayContaining(['/v1/messages/count_tokens', '/v1/messages/batches/**', '/v1/files/**']));
    expect(paths('google')).toEqual(expect.arrayContaining(['/v1beta/models/*:embedContent', '/v1beta/models/*:batchEmbedContents']));
    expect(paths('mistral')).toContain('/v1/embeddings');
    expect(findProvider('openai')!.proxyDeletePaths).toEqual(['/v1/responses/*', '/v1/files/*']);
    expect(findProvider('anthropic')!.proxyDeletePaths).toEqual(['/v1/messages/batches/*', '/v1/files/*']);
    expect(findProvider('google')!.proxyDeletePaths).toEqual([]);
    for (const provider of PROVIDERS) {
      // `**` only as a final `/**`.
      for (const path of provider.proxyPaths) expect(path.replace(/\/\*\*$/, '')).not.toContain('**');
      expect(provider.proxyHeaders).toEqual(expect.arrayContaining(['content-type', 'accept', 'x-stainless-*']));
      for (const never of ['authorization', 'x-api-key', 'x-goog-api-key', 'cookie', 'host', 'x-forwarded-for', 'x-http-method-override']) {
        expect(provider.proxyHeaders, provider.id).not.toContain(never);
      }
    }
    expect(findProvider('anthropic')!.proxyHeaders).toEqual(expect.arrayContaining(['anthropic-version', 'anthropic-beta']));
    expect(findProvider('openai')!.proxyHeaders).toEqual(expect.arrayContaining(['openai-organization', 'openai-project']));
  });

  it('describes the facts the patterns rely on', () => {
    const anthropic = findProvider('anthropic')!;
    expect(anthropic.auth.header).toBe('x-api-key');
    expect(anthropic.auth.alsoAccepted).toEqual([{ header: 'authorization', scheme: 'Bearer' }]);
    expect(anthropic.headers['anthropic-version']).toBe('2023-06-01');
    expect(anthropic.browser.headers['anthropic-dangerous-direct-browser-access']).toBe('true');

    const google = findProvider('google')!;
    expect(google.auth.header).toBe('x-goog-api-key');
    expect(google.keyCheck.rules).toContainEqual({ status: 400, bodyIncludes: 'API_KEY_INVALID', outcome: 'invalid' });
    expect(google.chat.streamPath).toContain('alt=sse');

    // A key check that proves something: OpenRouter's model list is public.
    expect(findProvider('openrouter')!.keyCheck.path).toBe('/api/v1/key');
    expect(findProvider('openrouter')!.models.sameAsKeyCheck).toBe(false);
    expect(findProvider('deepseek')!.chat.path).toBe('/chat/completions');
    expect(findProvider('groq')!.chat.path).toBe('/openai/v1/chat/completions');
    // Mistral keys have no shape: redaction must rely on the key in hand.
    expect(findProvider('mistral')!.keyPattern).toBeNull();
  });

  it.each(PROVIDERS.map((provider) => [provider.id, provider] as const))(
    "%s: every fake key shape the tests use is caught by the provider's key pattern (a last net, never the only one)",
    (id, provider) => {
      const shapes = KEY_SHAPES[id as ProviderId];
      expect(shapes, `test/support/fake-keys.ts has no shape for ${id}`).toBeDefined();
      for (const make of shapes) {
        const key = make();
        expect(key).toContain(key.startsWith('sk-or-v1-') ? 'fa4e' : 'ake');
        if (provider.keyPattern) expect(new RegExp(provider.keyPattern).exec(`before ${key} after`)?.[0], id).toBe(key);
      }
    },
  );

  it("knows Google's two key formats and Anthropic's key page", () => {
    const google = new RegExp(findProvider('google')!.keyPattern!);
    expect(google.test(fakeKey('google', 0))).toBe(true);
    expect(fakeKey('google', 0)).toMatch(/^AQ\./);
    expect(fakeKey('google', 1)).toMatch(/^AIza/);
    expect(findProvider('anthropic')!.links.keys).toBe('https://platform.claude.com/settings/keys');
  });
});
