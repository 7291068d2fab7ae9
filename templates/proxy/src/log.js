// Structured logs: one JSON line per request on stdout, plus start-up, shutdown and internal errors. Every
// value goes through redaction before it is serialised, so no field can carry a key by accident, and no value
// (whatever a client sends as its "key") can change the line around it: each line is valid JSON.

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
export function createLogger({ level = 'info', write = batchedStdout() } = {}) {
  const threshold = LOG_LEVELS.indexOf(level);
  const now = isoClock();
  /**
   * @param {string} lineLevel
   * @param {string} message
   * @param {Record<string, unknown>} [fields]
   * @param {ReadonlyArray<string | undefined>} [secrets] the request's key, removed by value
   */
  const log = (lineLevel, message, fields = {}, secrets = []) => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    // Messages and field names are this code's own; values may come from anywhere. (Almost always one secret,
    // the request's key; without any, the key shapes are still removed.)
    const given = secrets.filter(Boolean);
    const clean =
      given.length <= 1
        ? createRedactor(given[0])
        : (/** @type {string} */ text) => given.reduce((result, secret) => createRedactor(secret)(result), text);
    // The JSON object by hand around JSON.stringify of each value: the same text as JSON.stringify of the whole,
    // without first copying the fields into a new object (this runs once per request).
    let line = `{"time":"${now()}","level":"${lineLevel}","msg":${JSON.stringify(message)}`;
    for (const name in fields) {
      const value = fields[name];
      // Undefined (and functions) are left out, as JSON.stringify leaves them out of an object.
      const json = JSON.stringify(redactValue(value instanceof Error ? describeError(value) : value, clean));
      if (json !== undefined) line += `,"${name}":${json}`;
    }
    write(`${line}}\n`);
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
export function loggedHeaders(/** @type {import('node:http').IncomingHttpHeaders} */ headers) {
  /** @type {Record<string, string | string[]>} */
  const shown = {};
  for (const name of LOGGED_HEADERS) {
    const value = headers[name];
    if (value !== undefined) shown[name] = Array.isArray(value) ? value.map(shortRunsOnly) : shortRunsOnly(value);
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
 * The time as an ISO 8601 string. Under load many lines are written within the same millisecond: the string
 * is made once for each.
 */
function isoClock() {
  let last = 0;
  let text = '';
  return () => {
    const now = Date.now();
    if (now !== last) {
      last = now;
      text = new Date(now).toISOString();
    }
    return text;
  };
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

/**
 * Writes log lines to stdout in batches rather than with one system call each: pending lines go out once they
 * reach 16 KB, 20 ms after the first of them at the latest, and when the process exits.
 */
function batchedStdout() {
  let pending = '';
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const text = pending;
    pending = '';
    if (text) process.stdout.write(text);
  };
  process.on('exit', flush);
  return (/** @type {string} */ line) => {
    pending += line;
    if (pending.length >= 16_384) flush();
    else timer ??= setTimeout(flush, 20).unref();
  };
}
