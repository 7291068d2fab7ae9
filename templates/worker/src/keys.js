// The user's key: where it is read from, and the only form in which it outlives the request.

/** Query parameters that carry keys. A key there ends up in access logs, browser history and referrers. */
const KEY_PARAMETERS = new Set(['key', 'api_key', 'apikey', 'api-key', 'x-api-key', 'x-goog-api-key', 'access_token']);

/** @typedef {{ header: string, scheme?: string }} KeyHeader */

/** Every header a key can arrive in, for any provider: none of them is forwarded except the one that carried it. */
export const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'proxy-authorization']);

/**
 * The key of a request, from the provider's own auth header or one of the headers its official SDKs use.
 * Returns the header it came in and its exact value, so the key is forwarded the way the client sent it.
 * @param {{ auth: KeyHeader & { alsoAccepted?: KeyHeader[] } }} provider
 * @param {Headers} headers
 * @returns {{ key: string, header: string, value: string } | undefined}
 */
export function keyFromHeaders(provider, headers) {
  let credential = credentialIn(provider.auth, headers);
  for (const accepted of provider.auth.alsoAccepted ?? []) credential ??= credentialIn(accepted, headers);
  return credential;
}

/**
 * @param {KeyHeader} accepted
 * @param {Headers} headers
 */
function credentialIn(accepted, headers) {
  const value = headers.get(accepted.header);
  if (!value) return undefined;
  const key = accepted.scheme ? /^Bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(value)?.[1] : value.trim();
  return key ? { key, header: accepted.header, value } : undefined;
}

/** The name of the first query parameter that looks like it carries a key, if any. */
export function keyParameterIn(/** @type {string} */ query) {
  if (query === '') return undefined;
  for (const name of new URLSearchParams(query).keys()) {
    if (KEY_PARAMETERS.has(name.toLowerCase())) return name;
  }
  return undefined;
}

/**
 * Fingerprints keys with HMAC-SHA-256 under KEY_FINGERPRINT_SECRET (a Worker secret). Rate-limit buckets and
 * log lines use the fingerprint: it tells two keys apart, but cannot be turned back into a key, and even a
 * leaked fingerprint cannot be checked against a guessed key without the secret. A plain hash could: keys
 * with a known prefix and a leaked hash invite offline guessing. The secret must be the same in every
 * location and isolate, so that one key has one bucket everywhere: that is why it is a secret of the Worker
 * rather than made at start-up, as the Node proxy does.
 * @param {string} secret
 * @returns {(key: string) => Promise<string>} 32 hex characters (128 bits)
 */
export function createFingerprint(secret) {
  const encoder = new TextEncoder();
  const hmacKey = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return async (key) => {
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey, encoder.encode(key)));
    let hex = '';
    for (let i = 0; i < 16; i += 1) hex += mac[i].toString(16).padStart(2, '0');
    return hex;
  };
}
