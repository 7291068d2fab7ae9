import { describe, expect, it } from 'vitest';
import { deriveNames, isValidPackageName, toPackageName, toSlug, trademarkIssue } from '../src/project/names.js';

describe('names', () => {
  it('keeps a valid npm name and turns anything else into one', () => {
    expect(toPackageName('my-app')).toBe('my-app');
    expect(toPackageName('My App')).toBe('my-app');
    expect(toPackageName('Café Ünïcode ✨')).toBe('cafe-unicode');
    expect(toPackageName('../../etc')).toBe('etc');
    expect(toPackageName('💥💥')).toBe('byok-app');
    for (const name of ['My App', 'Acme "Helper" </script> */ ?> ${x}', 'x'.repeat(300), '\n', '_private', '.hidden']) {
      expect(isValidPackageName(toPackageName(name)), name).toBe(true);
    }
  });

  it('derives slug and PHP prefixes that are identifiers', () => {
    const names = deriveNames('  Acme "Helper" </script> 🚀  ');
    expect(names.name).toBe('Acme "Helper" </script> 🚀');
    expect(names.slug).toBe('acme-helper-script');
    expect(names.functionPrefix).toBe('acme_helper_script');
    expect(names.constantPrefix).toBe('ACME_HELPER_SCRIPT');
    expect(names.classPrefix).toBe('Acme_Helper_Script');
    expect(deriveNames('2048 Game').functionPrefix).toBe('byok_2048_game');
    expect(toSlug('a'.repeat(30) + ' ' + 'b'.repeat(30)).length).toBeLessThanOrEqual(48);
    expect(toSlug('x'.repeat(100))).toBe('x'.repeat(48));
  });

  it('flags slugs the WordPress plugin directory refuses and suggests another', () => {
    expect(trademarkIssue('openai-helper')).toEqual({ trademark: 'openai', suggestion: 'helper-for-openai' });
    expect(trademarkIssue('wordpress-ai-box')).toEqual({ trademark: 'wordpress', suggestion: 'ai-box' });
    expect(trademarkIssue('claude')).toEqual({ trademark: 'claude', suggestion: 'byok-assistant-for-claude' });
    expect(trademarkIssue('acme-helper')).toBeUndefined();
    expect(trademarkIssue('helper-for-openai')).toBeUndefined();
  });
});
