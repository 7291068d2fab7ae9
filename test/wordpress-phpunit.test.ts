/**
 * PHPUnit (Debian's /usr/bin/phpunit) on the generated plugin's encryption and redaction classes, so that `npm test`
 * runs it and fails when it fails. The PHP tests live in test/wordpress/phpunit/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/cli.js';
import type { ProviderId } from './support/fake-provider.mjs';
import { spawnCollect } from './support/wordpress-rig.js';
import { generatePlugin, type GeneratedPlugin } from './wordpress/helpers.js';

const PHPUNIT = '/usr/bin/phpunit';
const TESTS = path.join(repoRoot, 'test', 'wordpress', 'phpunit');
const PROVIDERS: ProviderId[] = ['anthropic', 'openai', 'google'];

function phpunit(plugin: GeneratedPlugin) {
  return spawnCollect(PHPUNIT, ['--bootstrap', path.join(TESTS, 'bootstrap.php'), '--colors=never', TESTS], {
    env: {
      BYOK_PLUGIN_DIR: plugin.dir,
      BYOK_CLASS_PREFIX: plugin.classPrefix,
      BYOK_CONSTANT_PREFIX: plugin.constantPrefix,
      BYOK_PROVIDERS: PROVIDERS.join(','),
    },
  });
}

/** Rewrites a generated file (to check that the PHP tests notice a broken class). */
function mutate(plugin: GeneratedPlugin, file: string, from: string, to: string): () => void {
  const full = path.join(plugin.dir, file);
  const original = readFileSync(full, 'utf8');
  if (!original.includes(from)) throw new Error(`${file} no longer contains ${from}`);
  writeFileSync(full, original.replace(from, to));
  return () => writeFileSync(full, original);
}

describe('PHPUnit on the generated encryption and redaction classes', () => {
  let plugin: GeneratedPlugin;

  beforeAll(async () => {
    plugin = await generatePlugin(`Acme "Unit" \\ </script> */ ?> \${x} 🚀`, PROVIDERS, null);
  });
  afterAll(() => plugin?.cleanup());

  it('passes', async () => {
    const result = await phpunit(plugin);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/OK \(\d+ tests, \d+ assertions\)/);
    // Both classes were exercised, including the separate-process constant test.
    expect(Number(/OK \((\d+) tests/.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(25);
  });

  it('fails when the encryption reuses a nonce', async () => {
    const restore = mutate(
      plugin,
      'includes/class-encryption.php',
      'random_bytes( SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES )',
      'str_repeat( "\\0", SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES )',
    );
    try {
      const result = await phpunit(plugin);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain('test_every_encryption_uses_a_fresh_nonce');
    } finally {
      restore();
    }
  });

  it('fails when the ciphertext is no longer bound to its provider', async () => {
    const restore = mutate(plugin, 'includes/class-encryption.php', "return self::CONTEXT . '|' . (string) $associated_data;", 'return self::CONTEXT;');
    try {
      const result = await phpunit(plugin);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain('test_a_value_sealed_for_one_provider_does_not_open_for_another');
    } finally {
      restore();
    }
  });

  it('fails when the redactor forgets keys it was given', async () => {
    const restore = mutate(plugin, 'includes/class-redactor.php', '$this->secrets[ $secret ] = true;', '');
    try {
      const result = await phpunit(plugin);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain('test_a_known_key_is_removed_wherever_it_appears');
    } finally {
      restore();
    }
  });
});
