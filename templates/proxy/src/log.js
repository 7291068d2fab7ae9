// Structured logs: one JSON line per request on stdout, plus start-up, shutdown and internal errors. Every
// line goes through `redact` after it is serialised, so no field can carry a key by accident.

import { LOG_LEVELS } from './config.js';
import { redact } from './redact.js';

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
export function createLogger({ level = 'info', write = (line) => process.stdout.write(line) } = {}) {
  const threshold = LOG_LEVELS.indexOf(level);
  /**
   * @param {string} lineLevel
   * @param {string} message
   * @param {Record<string, unknown>} [fields]
   * @param {ReadonlyArray<string | undefined>} [secrets] the request's key, removed by value
   */
  const log = (lineLevel, message, fields = {}, secrets = []) => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    const entry = { time: new Date().toISOString(), level: lineLevel, msg: message, ...fields };
    const line = JSON.stringify(entry, errorFields);
    write(`${redact(line, secrets)}\n`);
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
    if (value !== undefined) shown[name] = value;
  }
  return shown;
}

/** Errors serialise to their name, code and message (JSON.stringify would otherwise give `{}`). */
function errorFields(/** @type {string} */ _key, /** @type {unknown} */ value) {
  if (!(value instanceof Error)) return value;
  const code = /** @type {{ code?: unknown }} */ (value).code;
  return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
}
