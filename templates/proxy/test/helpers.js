// Test helpers: a stub provider that records what reaches it, and the proxy started in-process in front of it.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { startProxy } from '../src/app.js';
import { readConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { PROVIDERS } from '../src/providers.js';

/** A fresh, obviously fake key: distinctive, so a test can search every output for it. */
export function fakeKey() {
  return `test-key-${randomBytes(16).toString('hex')}`;
}

/**
 * The ways a server may spell a key it echoes: raw, JSON-escaped (short escapes, `\uXXXX` in either case),
 * URL-encoded (either case), base64 (alone or inside `Basic user:key`), and a mixture of them.
 * @param {string} key
 * @returns {Record<string, string>}
 */
export function keySpellings(key) {
  const unicode = (upper) => (character) => {
    const hex = character.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  };
  const percent = (upper) => (character) => {
    const hex = character.charCodeAt(0).toString(16).padStart(2, '0');
    return `%${upper ? hex.toUpperCase() : hex}`;
  };
  const each = (spell) => [...key].map(spell).join('');
  return {
    raw: key,
    json: JSON.stringify(key).slice(1, -1),
    'json, slashes escaped': key.replaceAll('/', '\\/'),
    'every character \\u-escaped, lower-case hex': each(unicode(false)),
    'every character \\u-escaped, upper-case hex': each(unicode(true)),
    'URL-encoded': encodeURIComponent(key),
    'URL-encoded, lower-case hex': encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    'every character percent-encoded': each(percent(false)),
    mixed: [...key].map((character, i) => [(c) => c, unicode(i % 2), percent(i % 3)][i % 3](character)).join(''),
    base64: Buffer.from(key).toString('base64'),
    'base64 of user:key (Basic auth)': Buffer.from(`user:${key}`).toString('base64'),
    'base64url, after two bytes': Buffer.from(`xy${key}z`).toString('base64url'),
  };
}

/** The headers that carry `key` the way the provider's own SDK sends it. */
export function keyHeaders(provider, key) {
  return { [provider.auth.header]: provider.auth.scheme ? `${provider.auth.scheme} ${key}` : key };
}

/** An allowlisted path of the provider, with `*` filled in. */
export function allowedPath(provider) {
  return provider.paths[0].replaceAll('*', 'some-model');
}

/**
 * A stub provider on a free port: every request is recorded (with whether the proxy closed it early), and
 * answered by the next queued handler, or 200 {"ok":true}.
 */
export async function startStubProvider() {
  const requests = [];
  const handlers = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const record = { method: req.method, url: req.url, headers: req.headers, body: '', closedEarly: false };
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.closedEarly = true;
    });
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      record.body = Buffer.concat(chunks).toString('utf8');
      const handler = handlers.shift() ?? ((_req, response) => json(response, 200, { ok: true }));
      handler(req, res, record);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** Queues the handler of the next request. */
    next: (handler) => handlers.push(handler),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  };
}

export function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Starts the proxy with every provider pointed at `stub` (under /<id>) and its log lines captured.
 * @param {{ url: string }} stub
 * @param {Record<string, string>} [env]
 */
export async function startTestProxy(stub, env = {}) {
  const upstreams = Object.fromEntries(
    Object.keys(PROVIDERS).map((id) => [`UPSTREAM_${id.toUpperCase()}_URL`, `${stub.url}/${id}`]),
  );
  const config = readConfig({ PORT: '0', LOG_LEVEL: 'debug', ...upstreams, ...env });
  const lines = [];
  const log = createLogger({ level: config.logLevel, write: (line) => lines.push(line) });
  const proxy = await startProxy(config, { log });
  return {
    url: proxy.url,
    metricsUrl: proxy.metricsUrl,
    lines,
    /** The parsed request log lines. */
    requestLog: () => lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request'),
    shutdown: () => proxy.shutdown(),
    close: () => proxy.close(),
  };
}

/** Waits until `check()` is true (log lines are written when a connection is done, just after the answer). */
export async function eventually(check, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A request with node:http, which sends the path exactly as given (fetch would resolve `..` and `%2e%2e` first).
 * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: string }>}
 */
export function rawRequest(baseUrl, path, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${baseUrl}/`, { method, path, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}
