// Structured logs: one JSON line per request through console.log, which Workers Logs (and `wrangler tail`)
// collect. Every line goes through `redact` after it is serialised, so no field can carry a key by accident.

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
    const line = { time: new Date().toISOString(), level: lineLevel, msg: message };
    for (const name in fields) {
      const value = fields[name];
      /** @type {Record<string, unknown>} */ (line)[name] = value instanceof Error ? describeError(value) : value;
    }
    write(redact(JSON.stringify(line), secrets));
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
    if (value !== null) shown[name] = value;
  }
  return shown;
}

/** An error as its name, code and message (JSON.stringify would give `{}`). */
function describeError(/** @type {Error} */ error) {
  const code = /** @type {{ code?: unknown }} */ (error).code;
  return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
}
