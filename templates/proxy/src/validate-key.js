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
 * @param {import('./upstream.js').Upstream} upstream
 * @param {{ header: string, value: string }} credential
 * @param {{ timeoutMs: number, signal: AbortSignal }} options
 * @returns {Promise<'valid' | 'invalid' | 'forbidden' | 'rate-limited' | 'unreachable'>}
 */
export function validateKey(provider, upstream, credential, { timeoutMs, signal }) {
  return new Promise((resolve) => {
    const headers = {
      accept: 'application/json',
      'accept-encoding': 'identity',
      ...provider.headers,
      [credential.header]: credential.value,
    };
    const request = upstream.request(provider.keyCheck.path, { method: provider.keyCheck.method, headers, signal });
    request.setTimeout(timeoutMs, () => request.destroy());
    request.on('error', () => resolve('unreachable'));
    request.on('response', (response) => {
      const chunks = [];
      let size = 0;
      response.on('data', (chunk) => {
        size += chunk.length;
        if (size <= MAX_CHECK_BODY_BYTES) chunks.push(chunk);
      });
      response.on('error', () => resolve('unreachable'));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve(/** @type {any} */ (keyOutcome(provider, response.statusCode ?? 0, body) ?? 'unreachable'));
      });
    });
    request.end();
  });
}
