import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../src/log.js';
import { PROVIDERS } from '../src/providers.js';
import { REDACTED, redact } from '../src/redact.js';

describe('redact', () => {
  it('removes the key by value, raw, JSON-escaped and URL-encoded', () => {
    const key = 'test-key/with+odd"chars';
    const text = `raw ${key} json ${JSON.stringify(key)} url ${encodeURIComponent(key)}`;
    const result = redact(text, [key]);
    assert.ok(!result.includes(key));
    assert.ok(!result.includes(JSON.stringify(key).slice(1, -1)));
    assert.ok(!result.includes(encodeURIComponent(key)));
    assert.match(result, /^raw \[redacted\] json "\[redacted\]" url \[redacted\]$/);
  });

  it('scrubs bearer tokens and every provider’s key shape as a last net', () => {
    assert.equal(redact('Authorization: Bearer abc.def-123'), `Authorization: Bearer ${REDACTED}`);
    for (const provider of Object.values(PROVIDERS)) {
      if (!provider.keyPattern) continue;
      // A key of the provider's shape, built from its pattern's literal prefix (of the first alternative, for a
      // provider with several formats) and enough filler.
      const prefix = provider.keyPattern.match(/^(?:\(\?:)?([\w-]+)/)[1];
      const sample = `${prefix}${'A1b2'.repeat(12)}`;
      if (!new RegExp(provider.keyPattern).test(sample)) continue;
      assert.ok(!redact(`leaked ${sample} here`).includes(sample), provider.label);
    }
  });

  it('is applied to every log line', () => {
    const lines = [];
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    log.info('request', { detail: 'echo test-key-123456' }, ['test-key-123456']);
    log.error('failure', { error: new Error('upstream said test-key-123456') }, ['test-key-123456']);
    assert.equal(lines.length, 2);
    assert.ok(lines.every((line) => !line.includes('test-key-123456')));
    assert.equal(JSON.parse(lines[1]).error.message, 'upstream said [redacted]');
  });
});
