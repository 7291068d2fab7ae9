// Structured logs: one JSON line per request through console.log, which Workers Logs (and `wrangler tail`)
// collect. Every value goes through redaction before it is serialised, so no field can carry a key by accident,
// and no value (whatever a client sends as its "key") can change the line around it: each line is valid JSON.

import { LOG_LEVELS } from './config.js';
import { createRedactor } from './redact.js';

/** Request headers that may appear in a debug log; every other header (credentials above all) never does. */
export const LOGGED_HEADERS = [
  'content-type',
  'content-length',
  'accept',
  'user-agent',
  'anthropic-version',
  'anthropic-beta',
];

/**
 * @param {{ level?: string, write?: (line: string) => void }} [options]
 */
export function createLogger({ level = 'info', write = (line) => console.log(line) } = {}) {
  const threshold = LOG_LEVELS.indexOf(level);
  /**
   * @param {string} lineLevel
   * @param {string} message
   * @param {Record<string, unknown>} [fields]
   * @param {ReadonlyArray<string | undefined>} [secrets] the request's key, removed by value
   */
  const log = (lineLevel, message, fields = {}, secrets = []) => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    const redactors = secrets.filter(Boolean).map((secret) => createRedactor(secret));
    if (redactors.length === 0) redactors.push(createRedactor(undefined)); // the key shapes, still
    // Messages and field names are this code's own; values may come from anywhere.
    const clean = (/** @type {string} */ text) => redactors.reduce((result, redactor) => redactor(result), text);
    /** @type {Record<string, unknown>} */
    const line = { time: new Date().toISOString(), level: lineLevel, msg: message };
    for (const name in fields) line[name] = redactValue(fields[name], clean);
    write(JSON.stringify(line));
  };
  return {
    enabled: (/** @type {string} */ lineLevel) => LOG_LEVELS.indexOf(lineLevel) >= threshold,
    debug: (message, fields, secrets) => log('debug', message, fields, secrets),
    info: (message, fields, secrets) => log('info', message, fields, secrets),
    warn: (message, fields, secrets) => log('warn', message, fields, secrets),
    error: (message, fields, secrets) => log('error', message, fields, secrets),
  };
}

/** @typedef {ReturnType<typeof createLogger>} Logger */

/** The allowlisted headers of a request, for debug logs. */
export function loggedHeaders(/** @type {Headers} */ headers) {
  /** @type {Record<string, string>} */
  const shown = {};
  for (const name of LOGGED_HEADERS) {
    const value = headers.get(name);
    if (value !== null) shown[name] = shortRunsOnly(value);
  }
  return shown;
}

/**
 * A run of 20 or more characters without a space or `,;=()`: as long as the shortest key keys.js accepts. The
 * client chose these header values, and a key it put in one (by mistake, or to see what happens) is unknown to
 * redaction unless the same key is in the key header: such runs are logged as `[long]`. Media types, SDK names
 * and versions are shorter; a long beta flag is lost from the debug line, a key is not written to it.
 * @param {string} value
 */
function shortRunsOnly(value) {
  return value.replace(/[^\s,;=()]{20,}/g, '[long]');
}

/**
 * `value` with every string in it redacted (objects and arrays copied; numbers, booleans and null as they are).
 * @param {unknown} value
 * @param {(text: string) => string} clean
 * @returns {unknown}
 */
function redactValue(value, clean) {
  if (typeof value === 'string') return clean(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return redactValue(describeError(value), clean);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, clean));
  /** @type {Record<string, unknown>} */
  const copy = {};
  for (const [name, item] of Object.entries(value)) copy[clean(name)] = redactValue(item, clean);
  return copy;
}

/** An error as its name, code and message (JSON.stringify would give `{}`). */
function describeError(/** @type {Error} */ error) {
  const code = /** @type {{ code?: unknown }} */ (error).code;
  return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
}
