// Redaction: the one function every log line and every error path goes through.
//
// A key must never reach a log, so nothing is logged raw: each log line is serialised first, then redacted
// as a whole. Three nets, from the most to the least precise:
//   1. the key of the request in hand, removed by value wherever it appears, including inside upstream error
//      bodies that echo it (as raw text, JSON-escaped and URL-encoded);
//   2. the usual shapes of the providers' keys (a key from some other request, pasted into a prompt or an
//      error message);
//   3. anything after `Bearer `.
// Headers are never logged wholesale either: only the ones in LOGGED_HEADERS (see log.js).

import { PROVIDERS } from './providers.js';

export const REDACTED = '[redacted]';

const KEY_SHAPES = new RegExp(
  [
    ...Object.values(PROVIDERS).flatMap((provider) => (provider.keyPattern ? [provider.keyPattern] : [])),
    '(?<=\\bBearer\\s+)[^\\s"\',;]+',
  ].join('|'),
  'g',
);

/**
 * Removes every secret in `secrets` (the request's key) and anything shaped like a key from `text`.
 * @param {string} text
 * @param {ReadonlyArray<string | undefined>} [secrets]
 * @returns {string}
 */
export function redact(text, secrets = []) {
  let result = String(text);
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      result = result.replaceAll(form, REDACTED);
    }
  }
  return result.replace(KEY_SHAPES, REDACTED);
}
