import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileAllowlist, isSafePath } from '../src/paths.js';
import { PROVIDERS } from '../src/providers.js';

describe('allowlist', () => {
  const allowlist = compileAllowlist(['/v1/models/*', '/v1beta/models/*:generateContent']);

  it('lets `*` match exactly one segment', () => {
    assert.ok(allowlist.test('/v1/models/gpt-x'));
    assert.ok(allowlist.test('/v1beta/models/gemini-x:generateContent'));
    assert.ok(!allowlist.test('/v1/models/a/b'));
    assert.ok(!allowlist.test('/v1/models/'));
    assert.ok(!allowlist.test('/v1beta/models/a/b:generateContent'));
  });

  it('lets a final `/**` match one or more segments, and tells which pattern matched', () => {
    const patterns = ['/v1/files', '/v1/files/**', '/v1/models/*'];
    const prefixed = compileAllowlist(patterns);
    assert.ok(prefixed.test('/v1/files'));
    assert.ok(prefixed.test('/v1/files/file-1'));
    assert.ok(prefixed.test('/v1/files/file-1/content'));
    assert.ok(!prefixed.test('/v1/files/'));
    assert.ok(!prefixed.test('/v1/filesystem'));
    assert.equal(prefixed.match('/v1/files'), '/v1/files');
    assert.equal(prefixed.match('/v1/files/a/b'), '/v1/files/**');
    assert.equal(prefixed.match('/v1/models/x'), '/v1/models/*');
    assert.equal(prefixed.match('/v1/other'), undefined);
  });

  it('writes a path for the log in the patterns’ own words only, never in the client’s', () => {
    const patterns = ['/v1/chat/completions', '/v1/files/**', '/v1/models/*'];
    const logged = compileAllowlist(patterns);
    assert.equal(logged.logged('/v1/chat/completions'), '/v1/chat/completions');
    assert.equal(logged.logged('/v1/models/secret-in-path'), '/v1/models/*');
    assert.equal(logged.logged('/v1/files/secret/in/path'), '/v1/files/**');
    assert.equal(logged.logged('/v1/chat/secret-in-path'), '/v1/chat/**');
    assert.equal(logged.logged('/v1/chat'), '/v1/chat');
    assert.equal(logged.logged('/secret-in-path/v1'), '/**');
    assert.equal(logged.logged(''), '/**');
  });

  it('accepts each provider’s own paths', () => {
    for (const provider of Object.values(PROVIDERS)) {
      const compiled = compileAllowlist(provider.paths);
      for (const path of provider.paths) {
        assert.ok(compiled.test(path.replace('/**', '/x/y').replaceAll('*', 'x')), `${provider.label} ${path}`);
      }
    }
  });
});

describe('isSafePath', () => {
  it('refuses dot segments, encoded separators and control characters', () => {
    const unsafe = ['/a/../b', '/a/./b', '/a/%2e%2E/b', '/a/.%2e/b', '/a%2fb', '/a%5Cb', '/a//b', '/a/%00', '/a\\b'];
    for (const path of [...unsafe, 'a', '/a b', '/%zz']) {
      assert.equal(isSafePath(path), false, path);
    }
  });

  it('accepts ordinary API paths', () => {
    const ordinary = ['/v1/messages', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', '/api/v1/key'];
    for (const path of [...ordinary, '/v1/models/org%3Amodel']) {
      assert.equal(isSafePath(path), true, path);
    }
  });
});
