// Redaction: the one place that decides what counts as "the key" in a piece of text, for log lines, error
// bodies and headers passed back from the provider.
//
// Three nets, from the most to the least precise:
//   1. the key of the request in hand, removed by value in every form a server might echo it in (below);
//   2. the usual shapes of the providers' keys (a key from some other request, pasted into a prompt or an
//      error message);
//   3. anything after `Bearer `.
//
// Why a matcher that reads escapes as it goes, one character of the key at a time: an upstream (or anything
// between it and the proxy) decides how to spell the key it echoes, and may mix spellings within one string.
// JSON allows `\u0041`, `\u004a` or `\u004A` for any character and short escapes (`\/`, `\"`); URLs allow `%2F`
// or `%2f`, and encoders disagree on which characters to encode at all. Listing whole spellings (the raw key,
// JSON.stringify of it, encodeURIComponent of it) misses every mixture: `sk\u002dproj...` passes a list of three.
// Reading each character of the text as itself, a JSON escape or a %XX sequence, and comparing it with the
// next character of the key, catches every spelling and every mixture in one pass. (A regular expression
// built the same way says the same thing, but costs milliseconds to compile per key: this runs per request.)
// Base64 (a key inside `Basic ...`, a JWT, a data URL) is a whole spelling of its own: it is searched for as
// text, at each of the three alignments the key can start at inside a longer encoded string.
//
// Redaction works on values, never on finished JSON: replacing text inside a serialised line lets a client's
// "key" of `"` or `request` rewrite the line. log.js redacts each value, then serialises it.

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

/** JSON's two-character escapes, by the character after the backslash. */
const SHORT_ESCAPES = new Map([
  ['"', 0x22], ['\\', 0x5c], ['/', 0x2f], ['b', 0x08], ['f', 0x0c], ['n', 0x0a], ['r', 0x0d], ['t', 0x09],
]);

/**
 * Removes every secret in `secrets` (the request's key), in any spelling, and anything shaped like a key from
 * `text`.
 * @param {unknown} text
 * @param {ReadonlyArray<string | undefined>} [secrets]
 * @returns {string}
 */
export function redact(text, secrets = []) {
  let result = String(text);
  for (const secret of secrets) {
    if (secret) result = removeSecret(result, compileSecret(secret));
  }
  return removeKeyShapes(result);
}

/**
 * A function that removes one secret, in any spelling, and (unless `shapes` is false) the key shapes from
 * texts. What it needs is worked out once per request and dropped with it: nothing derived from a key
 * outlives its request.
 * @param {string | undefined} secret
 * @param {{ shapes?: boolean }} [options]
 * @returns {(text: string) => string}
 */
export function createRedactor(secret, { shapes = true } = {}) {
  if (!secret) return shapes ? removeKeyShapes : (text) => text;
  const compiled = compileSecret(secret);
  return shapes ? (text) => removeKeyShapes(removeSecret(text, compiled)) : (text) => removeSecret(text, compiled);
}

/**
 * No provider's key is shorter than 20 characters (keys.js refuses shorter ones as keys): a shorter text holds
 * none, and is not scanned (most log values are short: a method, a status code, an error code).
 * @param {string} text
 */
function removeKeyShapes(text) {
  if (text.length < 20) return text;
  return text.replace(KEY_SHAPES, (match, bearer) => (bearer ? bearer + REDACTED : REDACTED));
}

/**
 * What matching one secret needs. The character table and the base64 spellings are worked out the first time
 * a text needs them (most texts are too short to hold any spelling of the key, or hold neither a backslash nor
 * a percent sign): see codePointsOf and base64Of.
 * @param {string} secret
 */
function compileSecret(secret) {
  return {
    raw: secret,
    /** @type {Array<{ units: number[], bytes: number[] }> | undefined} */
    codePoints: undefined,
    /** @type {string[] | undefined} */
    base64: undefined,
  };
}

/** The UTF-16 units and UTF-8 bytes of each character of the secret. */
function codePointsOf(/** @type {CompiledSecret} */ secret) {
  secret.codePoints ??= [...secret.raw].map((character) => ({
    units: Array.from({ length: character.length }, (_, i) => character.charCodeAt(i)),
    bytes: [...Buffer.from(character, 'utf8')],
  }));
  return secret.codePoints;
}

/** The stable parts of the secret's base64 spellings. */
function base64Of(/** @type {CompiledSecret} */ secret) {
  secret.base64 ??= base64Forms(secret.raw);
  return secret.base64;
}

/** @typedef {ReturnType<typeof compileSecret>} CompiledSecret */

/**
 * @param {string} text
 * @param {CompiledSecret} secret
 */
function removeSecret(text, secret) {
  // No spelling of a key is shorter than the key (escapes lengthen it, base64 by a third): most header values
  // and log fields are shorter, and skip the scan.
  if (text.length < secret.raw.length) return text;
  let result = text;
  // Without a backslash or a percent sign, the only spellings left are the raw key and base64.
  if (result.includes('\\') || result.includes('%')) result = removeSpelledOut(result, secret);
  else if (result.includes(secret.raw)) result = result.replaceAll(secret.raw, REDACTED);
  for (const form of base64Of(secret)) {
    if (result.includes(form)) result = result.replaceAll(form, REDACTED);
  }
  return result;
}

/**
 * Every occurrence of the key, each character raw, JSON-escaped or percent-encoded, replaced.
 * @param {string} text
 * @param {CompiledSecret} secret
 */
function removeSpelledOut(text, secret) {
  let result = '';
  let copied = 0;
  for (let start = 0; start < text.length; start += 1) {
    const end = matchAt(text, start, secret);
    if (end === -1) continue;
    result += text.slice(copied, start) + REDACTED;
    copied = end;
    start = end - 1;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

/**
 * Where a spelling of the key that starts at `start` ends, or -1.
 * @param {string} text
 * @param {number} start
 * @param {CompiledSecret} secret
 */
function matchAt(text, start, secret) {
  let at = start;
  for (const { units, bytes } of codePointsOf(secret)) {
    const next = matchUnits(text, at, units);
    if (next !== -1) {
      at = next;
      continue;
    }
    at = matchPercentBytes(text, at, bytes);
    if (at === -1) return -1;
  }
  return at;
}

/** Each UTF-16 unit raw, as `\uXXXX` (either case) or as a JSON short escape. */
function matchUnits(/** @type {string} */ text, /** @type {number} */ start, /** @type {number[]} */ units) {
  let at = start;
  for (const unit of units) {
    const code = text.charCodeAt(at);
    if (code === unit) {
      at += 1;
    } else if (code === 0x5c && text.charCodeAt(at + 1) === 0x75 && hexValue(text, at + 2, 4) === unit) {
      at += 6; // backslash, u, four hex digits
    } else if (code === 0x5c && SHORT_ESCAPES.get(text[at + 1]) === unit) {
      at += 2;
    } else {
      return -1;
    }
  }
  return at;
}

/** The UTF-8 bytes of one character, each as `%XX` (either case). */
function matchPercentBytes(/** @type {string} */ text, /** @type {number} */ start, /** @type {number[]} */ bytes) {
  let at = start;
  for (const byte of bytes) {
    if (text.charCodeAt(at) !== 0x25 || hexValue(text, at + 1, 2) !== byte) return -1;
    at += 3;
  }
  return at;
}

/** The value of `digits` hex digits at `start`, or -1. */
function hexValue(/** @type {string} */ text, /** @type {number} */ start, /** @type {number} */ digits) {
  let value = 0;
  for (let i = start; i < start + digits; i += 1) {
    const code = text.charCodeAt(i) | 0x20; // lower case for letters; digits unchanged
    const digit = code >= 0x30 && code <= 0x39 ? code - 0x30 : code >= 0x61 && code <= 0x66 ? code - 0x57 : -1;
    if (digit === -1) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * The parts of the key's base64 encodings that do not depend on what surrounds it: for each of the three
 * byte offsets the key can start at, the characters encoded from the key's bytes alone, in the standard and
 * URL-safe alphabets. Keys shorter than 9 bytes have none (too short a stable part would match innocent text).
 * @param {string} secret
 */
function base64Forms(secret) {
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length < 9) return [];
  /** @type {string[]} */
  const forms = [];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Each base64 character stands for 6 bits: keep those made of the key's bits alone, from the first that
    // starts after the filler to the last that ends before whatever follows the key.
    const stable = encoded.slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + bytes.length) * 4) / 3));
    forms.push(stable, stable.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...new Set(forms)];
}
