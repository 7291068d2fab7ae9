import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, readConfig } from '../src/config.js';
import { PROVIDERS } from '../src/providers.js';

describe('readConfig', () => {
  it('has safe defaults: local only, no browser origins', () => {
    const config = readConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.allowedOrigins, []);
    assert.equal(config.trustedHops, 0);
    for (const [id, provider] of Object.entries(PROVIDERS)) assert.equal(config.providers[id].origin, provider.origin);
  });

  it('matches .env.example, which lists every variable with its default', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      example
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(readConfig(env))), JSON.parse(JSON.stringify(readConfig({}))));
    const read = readFileSync(new URL('../src/config.js', import.meta.url), 'utf8');
    const names = new Set([...read.matchAll(/\b(?:text|integer)\('([A-Z_]+)'/g)].map((match) => match[1]));
    for (const name of names) assert.ok(name in env, `${name} is in .env.example`);
    for (const id of Object.keys(PROVIDERS)) {
      assert.ok(`UPSTREAM_${id.toUpperCase()}_URL` in env);
      assert.ok(`UPSTREAM_${id.toUpperCase()}_PATHS` in env);
      assert.ok(`UPSTREAM_${id.toUpperCase()}_HEADERS` in env);
    }
  });

  it('replaces an origin and its paths from the environment', () => {
    const [id] = Object.keys(PROVIDERS);
    const name = id.toUpperCase();
    const config = readConfig({
      [`UPSTREAM_${name}_URL`]: 'http://127.0.0.1:9999/prefix/',
      [`UPSTREAM_${name}_PATHS`]: '/only/this',
    });
    assert.equal(config.providers[id].origin, 'http://127.0.0.1:9999/prefix');
    assert.ok(config.providers[id].allowlist.test('/only/this'));
    assert.ok(!config.providers[id].allowlist.test(PROVIDERS[id].paths[0]));
  });

  it('replaces the forwarded headers from the environment, never with a key’s, the client’s or the connection’s', () => {
    const [id] = Object.keys(PROVIDERS);
    const name = `UPSTREAM_${id.toUpperCase()}_HEADERS`;
    const config = readConfig({ [name]: 'Content-Type,x-my-app-*' });
    assert.ok(config.providers[id].forwards('content-type'));
    assert.ok(config.providers[id].forwards('x-my-app-version'));
    assert.ok(!config.providers[id].forwards('accept'));
    for (const refused of ['authorization', 'x-api-key', 'cookie', 'x-forwarded-for', 'x-forwarded-*', 'x-*', '*', 'bad header']) {
      assert.throws(
        () => readConfig({ [name]: `content-type,${refused}` }),
        (error) => error instanceof ConfigError && error.problems[0].startsWith(name),
        refused,
      );
    }
  });

  it('lists every invalid value at once', () => {
    assert.throws(
      () => readConfig({ PORT: 'eighty', RATE_LIMIT_BURST: '0', LOG_LEVEL: 'loud', ALLOWED_ORIGINS: 'example.com' }),
      (error) => error instanceof ConfigError && error.problems.length === 4,
    );
  });
});
