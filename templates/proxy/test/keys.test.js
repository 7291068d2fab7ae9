import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createFingerprint, keyFromHeaders } from '../src/keys.js';

describe('createFingerprint', () => {
  it('is the SHA-256 of the secret and the key, cut to 128 bits, every time', () => {
    const secret = randomBytes(32);
    const fingerprint = createFingerprint(secret);
    const keys = ['test-key-one', 'test-key-two', 'test-key-three'];
    const expected = (key) => createHash('sha256').update(secret.toString('hex') + key).digest('hex').slice(0, 32);
    for (let round = 0; round < 3; round += 1) {
      for (const key of keys) assert.equal(fingerprint(key), expected(key));
    }
    assert.notEqual(fingerprint(keys[0]), fingerprint(keys[1]));
  });

  it('depends on the secret, so a fingerprint cannot be checked against a guessed key without it', () => {
    assert.notEqual(createFingerprint(randomBytes(32))('test-key'), createFingerprint(randomBytes(32))('test-key'));
  });
});

describe('keyFromHeaders', () => {
  const anthropicLike = { auth: { header: 'x-api-key', alsoAccepted: [{ header: 'authorization', scheme: 'Bearer' }] } };
  const key = `test-key-${randomBytes(16).toString('hex')}`;

  it('takes a key from the provider’s header or one its SDKs use, exactly as sent', () => {
    assert.deepEqual(keyFromHeaders(anthropicLike, { 'x-api-key': key }), { key, header: 'x-api-key', value: key });
    assert.deepEqual(keyFromHeaders(anthropicLike, { authorization: `Bearer ${key}` }), {
      key,
      header: 'authorization',
      value: `Bearer ${key}`,
    });
    assert.equal(keyFromHeaders(anthropicLike, {}), undefined);
  });

  it('says why a value cannot be a key, without repeating it', () => {
    const cases = {
      'too short': 'short-key',
      'too long': 'k'.repeat(2000),
      'characters keys never have': [`${key}"`, `${key}'`, `${key}\\`, `${key};`, `${key}\u0001`, `${key}\u00e9`, `${key}\tx`],
      'more than once': `${key}, ${key}`,
    };
    for (const [reason, values] of Object.entries(cases)) {
      for (const value of [values].flat()) {
        const result = keyFromHeaders(anthropicLike, { 'x-api-key': value });
        assert.ok(result && 'implausible' in result, JSON.stringify(value));
        assert.match(result.implausible, new RegExp(reason));
        assert.ok(!result.implausible.includes(key));
      }
    }
    const notBearer = keyFromHeaders(anthropicLike, { authorization: `Basic ${key}` });
    assert.match(notBearer.implausible, /not "Bearer <key>"/);
  });
});
