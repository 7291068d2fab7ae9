// Configuration, from the environment only (see .env.example for every variable and its default). Invalid
// values stop the proxy at start-up with one message listing them all, rather than failing on some request.

import { compileAllowlist } from './paths.js';
import { PROVIDERS } from './providers.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

export class ConfigError extends Error {
  /** @param {string[]} problems */
  constructor(problems) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * @param {Record<string, string | undefined>} env
 */
export function readConfig(env = process.env) {
  /** @type {string[]} */
  const problems = [];
  const text = (name, fallback) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
  const integer = (name, fallback, min, max = Number.MAX_SAFE_INTEGER) => {
    const value = text(name, String(fallback));
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(number >= min && number <= max)) {
      problems.push(`${name}=${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return number;
  };

  const logLevel = text('LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  const allowedOrigins = list(text('ALLOWED_ORIGINS', ''));
  for (const origin of allowedOrigins) {
    if (origin !== '*' && !isOrigin(origin)) {
      problems.push(`ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
    }
  }

  const trustProxy = text('TRUST_PROXY', '0');
  const trustedHops = trustProxy === 'false' ? 0 : trustProxy === 'true' ? 1 : integer('TRUST_PROXY', 0, 0, 10);

  /** @type {Record<string, ProviderConfig>} */
  const providers = {};
  for (const [id, provider] of Object.entries(PROVIDERS)) {
    const envName = id.toUpperCase();
    const origin = text(`UPSTREAM_${envName}_URL`, provider.origin).replace(/\/+$/, '');
    let url;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
      const expected = 'expected an http(s) URL without query, fragment or credentials';
      problems.push(`UPSTREAM_${envName}_URL=${JSON.stringify(origin)}: ${expected}`);
      continue;
    }
    const paths = list(text(`UPSTREAM_${envName}_PATHS`, provider.paths.join(',')));
    const badPath = paths.find((path) => !/^\/[A-Za-z0-9\-._~!$&'()+,;=:@/*]*$/.test(path));
    if (paths.length === 0 || badPath !== undefined) {
      const shown = badPath === undefined ? 'empty' : JSON.stringify(badPath);
      problems.push(`UPSTREAM_${envName}_PATHS: ${shown}: expected absolute paths separated by commas`);
      continue;
    }
    providers[id] = { ...provider, id, origin, url, paths, allowlist: compileAllowlist(paths) };
  }

  const config = {
    host: text('HOST', '127.0.0.1'),
    port: integer('PORT', 8787, 0, 65535),
    allowedOrigins,
    rateLimit: {
      key: {
        name: 'key',
        perMinute: integer('RATE_LIMIT_PER_MINUTE', 60, 1),
        burst: integer('RATE_LIMIT_BURST', 10, 1),
      },
      ip: {
        name: 'ip',
        perMinute: integer('IP_RATE_LIMIT_PER_MINUTE', 20, 1),
        burst: integer('IP_RATE_LIMIT_BURST', 10, 1),
      },
      maxBuckets: integer('RATE_LIMIT_MAX_BUCKETS', 100_000, 100),
    },
    trustedHops,
    logLevel,
    maxBodyBytes: integer('MAX_BODY_BYTES', 10 * 1024 * 1024, 1),
    headersTimeoutMs: integer('HEADERS_TIMEOUT_MS', 10_000, 100),
    requestTimeoutMs: integer('REQUEST_TIMEOUT_MS', 30_000, 100),
    upstreamTimeoutMs: integer('UPSTREAM_TIMEOUT_MS', 120_000, 100),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 30_000, 0),
    providers,
  };
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push('HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS (a request includes its headers)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** @typedef {ReturnType<typeof readConfig>} Config */
/**
 * @typedef {(typeof PROVIDERS)[keyof typeof PROVIDERS] & {
 *   id: string, origin: string, url: URL, paths: string[], allowlist: RegExp }} ProviderConfig
 */

/** @param {string} value */
function list(value) {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

/** @param {string} value */
function isOrigin(value) {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}
