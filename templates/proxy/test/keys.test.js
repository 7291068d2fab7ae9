import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createFingerprint } from '../src/keys.js';

describe('createFingerprint', () => {
  it('is the HMAC-SHA256 of the key under the secret, every time', () => {
    const secret = randomBytes(32);
    const fingerprint = createFingerprint(secret);
    const keys = ['test-key-one', 'test-key-two', 'test-key-three'];
    const expected = (key) => createHmac('sha256', secret).update(key).digest('hex').slice(0, 32);
    for (let round = 0; round < 3; round += 1) {
      for (const key of keys) assert.equal(fingerprint(key), expected(key));
    }
    assert.notEqual(fingerprint(keys[0]), fingerprint(keys[1]));
  });

  it('depends on the secret, so a fingerprint cannot be checked against a guessed key without it', () => {
    assert.notEqual(createFingerprint(randomBytes(32))('test-key'), createFingerprint(randomBytes(32))('test-key'));
  });
});
