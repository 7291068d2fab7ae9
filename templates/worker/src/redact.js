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

// "Bearer " (group 1, first so that its number never changes) is kept and what follows it replaced: a
// lookbehind would say the same, but makes every log line cost five times as much to scan.
const KEY_SHAPES = new RegExp(
  [
    '(\\bBearer\\s+)[^\\s"\',;]+',
    ...Object.values(PROVIDERS).flatMap((provider) => (provider.keyPattern ? [provider.keyPattern] : [])),
  ].join('|'),
  'g',
);

/** Characters that neither JSON nor encodeURIComponent escape: a key made of them has only one form. */
const SAME_IN_EVERY_FORM = /^[\w.!~*'()-]*$/;

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
    result = result.replaceAll(secret, REDACTED);
    if (SAME_IN_EVERY_FORM.test(secret)) continue;
    result = result.replaceAll(JSON.stringify(secret).slice(1, -1), REDACTED);
    result = result.replaceAll(encodeURIComponent(secret), REDACTED);
  }
  return result.replace(KEY_SHAPES, (match, bearer) => (bearer ? bearer + REDACTED : REDACTED));
}
