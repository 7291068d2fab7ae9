import { randomBytes } from 'node:crypto';
import type { ProviderId } from './fake-provider.mjs';

/**
 * Obviously fake keys in each provider's shape, the only place tests get keys from. Built at run time (no
 * key-shaped literal in the repository for secret scanners to trip on), different on every call (no test sees
 * another's key, and a leak found in a log points at one request), and spelling `fake` where the shape allows.
 * test/catalog.test.ts matches every shape here against its provider's `keyPattern`, so a shape that drifts from
 * the catalog, or a provider without one, fails there.
 */

/** `length` random lower-case hex characters: inside every provider's key alphabet. */
const fill = (length: number) => randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);

/** Each provider's key shapes, the current one first. */
export const KEY_SHAPES: Record<ProviderId, ReadonlyArray<() => string>> = {
  // sk-ant-api03- + 93 characters + AA
  anthropic: [() => `sk-ant-api03-fake${fill(89)}AA`],
  openai: [() => `sk-proj-fake${fill(96)}`, () => `sk-svcacct-fake${fill(96)}`],
  google: [
    // Authorization keys (AI Studio's default since 2026), then standard keys: AIza + 35 characters.
    () => `AQ.fake${fill(49)}`,
    () => `AIzaFake${fill(31)}`,
  ],
  // No recognisable shape: 32 letters and digits.
  mistral: [() => `fake${fill(28)}`],
  groq: [() => `gsk_fake${fill(48)}`],
  // sk-or-v1- + 64 hex digits: `fa4e` is as close to "fake" as hex gets.
  openrouter: [() => `sk-or-v1-fa4e${fill(60)}`],
  xai: [() => `xai-fake${fill(76)}`],
  // sk- + 32 lower-case letters and digits (the shape collides with legacy OpenAI keys).
  deepseek: [() => `sk-fake${fill(28)}`],
};

/** A fresh fake key for `provider`, in its current shape (or the `shape`-th of KEY_SHAPES). */
export function fakeKey(provider: ProviderId | string, shape = 0): string {
  const make = KEY_SHAPES[provider as ProviderId]?.[shape];
  if (!make) throw new Error(`No fake key shape ${shape} for provider ${provider}: add it to test/support/fake-keys.ts`);
  return make();
}
