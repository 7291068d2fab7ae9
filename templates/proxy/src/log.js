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
   * @param {number} rank
   * @param {string} lineLevel
   * @param {string} message
   * @param {Record<string, unknown>} [fields]
   * @param {ReadonlyArray<string | undefined>} [secrets] the request's key, removed by value
   */
  const log = (rank, lineLevel, message, fields = {}, secrets = []) => {
    if (rank < threshold) return;
    // Messages and field names are this code's own; values may come from anywhere. How far a value is scanned
    // depends on its length: none shorter than 20 characters holds a key or a key shape, and none shorter than a
    // secret holds that secret in any spelling (escapes and base64 only lengthen it). Most of a request line's
    // values are short (a method, a status, an error code, a path); the redactor of the secrets is made for the
    // first value long enough to need it.
    let shortestSecret = Infinity;
    for (const secret of secrets) if (secret && secret.length < shortestSecret) shortestSecret = secret.length;
    const shortest = Math.min(SHORTEST_KEY, shortestSecret);
    /** @type {((text: string) => string) | undefined} */
    let clean;
    const redactor = () => (clean ??= redactorFor(secrets));
    // The JSON object by hand around each value: the same text as JSON.stringify of the whole, without first
    // copying the fields into a new object (this runs once per request).
    let line = `{"time":"${now()}","level":"${lineLevel}","msg":${jsonString(message)}`;
    for (const name in fields) {
      const value = fields[name];
      let json;
      if (typeof value === 'number') json = Number.isFinite(value) ? `${value}` : 'null';
      else if (typeof value === 'string') {
        let text = value;
        if (value.length >= shortestSecret) text = redactor()(value);
        else if (value.length >= shortest) text = keyShapesOnly(value);
        json = jsonString(text);
      }
      // Undefined (and functions) are left out, as JSON.stringify leaves them out of an object.
      else json = JSON.stringify(redactValue(value instanceof Error ? describeError(value) : value, redactor()));
      if (json !== undefined) line += `,"${name}":${json}`;
    }
    write(`${line}}\n`);
  };
  /** @param {string} lineLevel */
  const at = (lineLevel) => {
    const rank = LOG_LEVELS.indexOf(lineLevel);
    return (
      /** @type {string} */ message,
      /** @type {Record<string, unknown> | undefined} */ fields,
      /** @type {ReadonlyArray<string | undefined> | undefined} */ secrets,
    ) => log(rank, lineLevel, message, fields, secrets);
  };
  /**
   * The line of one request: the same text as `log[level]('request', fields, [secret])`, by code written for
   * its fields. It is written for every request, and the general loop above (a fields object walked by name,
   * a type test and a redaction choice for each value) takes half as long again (bench/PROXY.md).
   * @param {'info' | 'warn' | 'error'} lineLevel
   * @param {RequestFields} fields
   * @param {string | undefined} secret the request's key
   */
  const request = (lineLevel, fields, secret) => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    const text = (/** @type {string} */ value) => quoted(value, secret);
    let line = `{"time":"${now()}","level":"${lineLevel}","msg":"request","method":${text(fields.method)}`;
    if (fields.provider !== undefined) line += `,"provider":${text(fields.provider)}`;
    if (fields.path !== undefined) line += `,"path":${text(fields.path)}`;
    line += `,"status":${fields.status},"durationMs":${tenths(fields.durationMs)},"requestId":${text(fields.requestId)}`;
    if (fields.keyFingerprint !== undefined) line += `,"keyFingerprint":${text(fields.keyFingerprint)}`;
    if (fields.error !== undefined) line += `,"error":${text(fields.error)}`;
    if (fields.upstreamError !== undefined) line += `,"upstreamError":${text(fields.upstreamError)}`;
    if (fields.upstreamRequestId !== undefined) line += `,"upstreamRequestId":${text(fields.upstreamRequestId)}`;
    if (fields.upstreamMessage !== undefined) line += `,"upstreamMessage":${text(fields.upstreamMessage)}`;
    if (fields.headers !== undefined) {
      line += `,"headers":${JSON.stringify(redactValue(fields.headers, redactorFor([secret])))}`;
    }
    write(`${line}}\n`);
  };
  return {
    enabled: (/** @type {string} */ lineLevel) => LOG_LEVELS.indexOf(lineLevel) >= threshold,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    request,
  };
}

/**
 * @typedef {object} RequestFields  what the line of one request says, in this order
 * @property {string} method
 * @property {string} [provider]
 * @property {string} [path]
 * @property {number} status
 * @property {number} durationMs      written to a tenth of a millisecond
 * @property {string} requestId
 * @property {string} [keyFingerprint]
 * @property {string} [error]
 * @property {string} [upstreamError]
 * @property {string} [upstreamRequestId]
 * @property {string} [upstreamMessage]  debug lines only
 * @property {Record<string, string | string[]>} [headers]  debug lines only
 */

/**
 * A string from anywhere as JSON, without the secret or any key shape: scanned for the secret only if it is long
 * enough to hold it, for key shapes only if it is long enough to hold one.
 * @param {string} value
 * @param {string | undefined} secret
 */
function quoted(value, secret) {
  if (secret && value.length >= secret.length) return jsonString(createRedactor(secret)(value));
  if (value.length >= SHORTEST_KEY) return jsonString(keyShapesOnly(value));
  return jsonString(value);
}

/**
 * Milliseconds to a tenth, as JSON.stringify writes them, from integers (formatting a fraction is several
 * times slower).
 * @param {number} ms
 */
function tenths(ms) {
  const count = Math.round(ms * 10);
  if (!Number.isFinite(count)) return 'null';
  const whole = Math.trunc(count / 10);
  const tenth = count % 10;
  return tenth === 0 ? `${whole}` : `${whole}.${tenth}`;
}

/** What JSON.stringify escapes in a string: quotes, backslashes, control characters and lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON: most values need no escape, and are quoted as they are (JSON.stringify is a call into
 * the engine's C++, several times the cost of the test).
 * @param {string} text
 */
function jsonString(text) {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** No key keys.js accepts is shorter, and no key shape in redact.js either. */
const SHORTEST_KEY = 20;

/** Redaction of the key shapes alone, for values too short to hold any of the secrets. */
const keyShapesOnly = createRedactor();

/**
 * A redactor of the given secrets (almost always one: the request's key) and of the key shapes.
 * @param {ReadonlyArray<string | undefined>} secrets
 * @returns {(text: string) => string}
 */
function redactorFor(secrets) {
  const given = secrets.filter(Boolean);
  if (given.length <= 1) return createRedactor(given[0]);
  return (text) => given.reduce((result, secret) => createRedactor(secret)(result), text);
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
 * The time as an ISO 8601 string. Under load many lines are written within the same millisecond, and all within
 * the same second: the string is made once a millisecond, from a prefix made once a second (formatting a whole
 * date is a few microseconds).
 */
function isoClock() {
  let last = 0;
  let text = '';
  let second = 0;
  let prefix = '';
  return () => {
    const now = Date.now();
    if (now !== last) {
      last = now;
      const ms = now % 1000;
      if (now - ms !== second) {
        second = now - ms;
        prefix = new Date(second).toISOString().slice(0, -4);
      }
      text = `${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
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
 * Writes log lines to stdout in batches rather than with one system call each: lines go out once 64 KB of them
 * are pending, 20 ms after the first of them at the latest, and when the process exits. Each line is encoded
 * into the batch's buffer as it is written, so no string outlives its request: a batch of pending strings
 * survived garbage collections and cost the proxy about 7% of its throughput (bench/PROXY.md).
 */
function batchedStdout() {
  const size = 64 * 1024;
  let batch = Buffer.allocUnsafeSlow(size);
  let used = 0;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (used === 0) return;
    const lines = batch.subarray(0, used);
    // A new buffer for the next batch: stdout may still be writing this one.
    batch = Buffer.allocUnsafeSlow(size);
    used = 0;
    process.stdout.write(lines);
  };
  process.on('exit', flush);
  return (/** @type {string} */ line) => {
    // At most 3 bytes for each UTF-16 unit of the line.
    if (used + line.length * 3 > size) {
      flush();
      if (line.length * 3 > size) return void process.stdout.write(line);
    }
    used += batch.write(line, used);
    timer ??= setTimeout(flush, 20).unref();
  };
}
