import { describe, expect, it } from 'vitest';
import { normalizeBaseUrl, parseFlags, parseModels, parseProviders } from '../src/cli/flags.js';
import { equivalentCommand, resolveCreate, shellQuote } from '../src/cli/resolve.js';
import { UsageError } from '../src/errors.js';
import { PROVIDER_IDS } from '../src/providers/index.js';

const base = { model: [], baseUrl: [], install: true, git: true };

describe('flag resolution', () => {
  it('normalises base URLs to origin plus an optional prefix, without a trailing slash', () => {
    expect(normalizeBaseUrl('openai', 'https://gw.example.com/openai/')).toBe('https://gw.example.com/openai');
    expect(normalizeBaseUrl('openai', 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(normalizeBaseUrl('openai', 'HTTPS://GW.example.com:443/a/b')).toBe('https://gw.example.com/a/b');
    for (const bad of ['gw.example.com', 'file:///etc/passwd', 'https://gw.example.com/?key=1', 'https://u:p@gw.example.com', 'https://gw.example.com/#x']) {
      expect(() => normalizeBaseUrl('openai', bad), bad).toThrow(UsageError);
    }
  });

  it('reads providers in order, the first being the default', () => {
    expect(parseProviders(' Google , anthropic ')).toEqual(['google', 'anthropic']);
    expect(() => parseProviders('google,cohere')).toThrow(`Valid providers: ${PROVIDER_IDS.join(', ')}.`);
  });

  it('reads per-provider models', () => {
    expect(parseModels(['openai=gpt-5.4-mini', 'google=models/gemini-flash-latest'])).toEqual({
      openai: 'gpt-5.4-mini',
      google: 'models/gemini-flash-latest',
    });
    expect(() => parseModels(['openai=a', 'openai=b'])).toThrow(/twice/);
  });

  it('rejects a pattern option that belongs to another pattern', () => {
    expect(() => parseFlags({ ...base, pattern: 'wordpress', storage: 'session' })).toThrow(/--storage applies to the browser pattern/);
    expect(parseFlags({ ...base, pattern: 'browser', storage: 'session' }).options).toEqual({ storage: 'session' });
  });

  it('resolves with --yes to defaults and prints a command line that repeats the run exactly', async () => {
    const flags = parseFlags({ ...base, pattern: 'proxy', provider: ['openai,google'], model: ['google=gemini-x'], baseUrl: ['openai=http://127.0.0.1:9/openai'], name: "It's mine" });
    const resolved = await resolveCreate('apps/my proxy', flags, { cwd: '/work', yes: true, force: false });
    expect(resolved.targetDir).toBe('/work/apps/my proxy');
    expect(resolved.answers).toEqual({
      name: "It's mine",
      pattern: 'proxy',
      providers: ['openai', 'google'],
      models: { openai: 'gpt-5.4-mini', google: 'gemini-x' },
      baseUrls: { openai: 'http://127.0.0.1:9/openai' },
      options: { rateLimitStore: 'memory' },
    });
    expect(equivalentCommand(resolved, 'apps/my proxy', { install: false, git: true })).toBe(
      "npx create-byok 'apps/my proxy' --pattern proxy --provider openai,google --name 'It'\\''s mine' --model google=gemini-x --base-url openai=http://127.0.0.1:9/openai --rate-limit-store memory --no-install --yes",
    );
  });

  it('names every missing flag when it cannot ask', async () => {
    await expect(resolveCreate(undefined, parseFlags(base), { cwd: '/work', yes: false, force: false })).rejects.toThrow(
      /Missing \[dir\], --pattern <browser\|wordpress\|proxy\|worker>, --provider <ids>/,
    );
  });

  it('quotes for a POSIX shell only when needed', () => {
    expect(shellQuote('plain-name_1.2')).toBe('plain-name_1.2');
    expect(shellQuote('two words')).toBe("'two words'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$(rm -rf ~)')).toBe("'$(rm -rf ~)'");
  });
});
