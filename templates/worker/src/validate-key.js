// The key check behind POST /<id>/byok/validate: the provider's cheapest authenticated call, read with the
// catalog's rules. Only `invalid` means "wrong key"; `forbidden` is a valid key without access, and
// `rate-limited` or `unreachable` say nothing about the key.

const MAX_CHECK_BODY_BYTES = 64 * 1024;

/**
 * What a provider's answer says about the key: 'valid' for 2xx, else the first matching rule's outcome, else
 * undefined (the answer is about something other than the key).
 * @param {{ keyCheck: { rules: Array<{ status: number, bodyIncludes?: string, outcome: string }> } }} provider
 * @param {number} status
 * @param {string} body
 */
export function keyOutcome(provider, status, body) {
  if (status >= 200 && status < 300) return 'valid';
  const rule = provider.keyCheck.rules.find(
    (candidate) => candidate.status === status && (!candidate.bodyIncludes || body.includes(candidate.bodyIncludes)),
  );
  return rule?.outcome;
}

/**
 * Runs the provider's key check with the key in the header the client used.
 * @param {import('./config.js').ProviderConfig} provider
 * @param {{ header: string, value: string }} credential
 * @param {{ timeoutMs: number, signal: AbortSignal }} options
 * @returns {Promise<'valid' | 'invalid' | 'forbidden' | 'rate-limited' | 'unreachable'>}
 */
export async function validateKey(provider, credential, { timeoutMs, signal }) {
  const headers = new Headers({ accept: 'application/json', ...provider.headers });
  headers.set(credential.header, credential.value);
  try {
    const response = await fetch(provider.origin + provider.keyCheck.path, {
      method: provider.keyCheck.method,
      headers,
      redirect: 'manual',
      // The client leaving ends the check too.
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    const body = await readStart(response, MAX_CHECK_BODY_BYTES);
    return /** @type {any} */ (keyOutcome(provider, response.status, body) ?? 'unreachable');
  } catch {
    return 'unreachable';
  }
}

/**
 * The first `max` bytes of a body as text (enough for any rule to match), without reading the rest.
 * @param {Response} response
 * @param {number} max
 */
async function readStart(response, max) {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    text += decoder.decode(value, { stream: true });
    if (size >= max) {
      await reader.cancel();
      return text;
    }
  }
}
