// Test helpers: a stub provider that records what reaches it, and the Worker running in workerd (Cloudflare's
// runtime, from the wrangler package) in front of it. Nothing leaves this machine.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createTestHarness } from 'wrangler';
import { PROVIDERS } from '../src/providers.js';

/** A fresh, obviously fake key: distinctive, so a test can search every output for it. */
export function fakeKey() {
  return `test-key-${randomBytes(16).toString('hex')}`;
}

/**
 * A client's headers: `key` the way the provider's own SDK sends it, from an address of its own. (Locally a
 * client may set CF-Connecting-IP; at the edge Cloudflare replaces it. A fresh address per client keeps the
 * per-address limit out of tests about other things.)
 */
export function keyHeaders(provider, key) {
  return {
    [provider.auth.header]: provider.auth.scheme ? `${provider.auth.scheme} ${key}` : key,
    'cf-connecting-ip': `198.18.${randomBytes(1)[0]}.${randomBytes(1)[0]}`,
  };
}

/** An allowlisted path of the provider, with `*` filled in. */
export function allowedPath(provider) {
  return provider.paths[0].replaceAll('*', 'some-model');
}

/**
 * A stub provider on a free port: every request is recorded, and answered by the next queued handler, or
 * 200 {"ok":true}.
 */
export async function startStubProvider() {
  const requests = [];
  const handlers = [];
  const server = http.createServer((req, res) => {
    const record = { method: req.method, url: req.url, headers: req.headers, body: '' };
    requests.push(record);
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      record.body = Buffer.concat(chunks).toString('utf8');
      const handler = handlers.shift() ?? ((_req, response) => json(response, 200, { ok: true }));
      handler(req, res, record);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** Queues the handler of the next request. */
    next: (handler) => handlers.push(handler),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** @param {http.ServerResponse} res */
export function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The Worker of wrangler.jsonc, in workerd, with every provider routed to the stub (under /<id>, so the stub
 * can tell them apart) and `vars` replacing the configured ones.
 * @param {{ url: string }} stub
 * @param {Record<string, string>} [vars]
 * @param {{ secret?: string }} [options]  KEY_FINGERPRINT_SECRET (default: a fresh random one)
 */
export async function startWorker(stub, vars = {}, { secret = randomBytes(32).toString('hex') } = {}) {
  const upstreams = {};
  for (const id of Object.keys(PROVIDERS)) upstreams[`UPSTREAM_${id.toUpperCase()}_URL`] = `${stub.url}/${id}`;
  const server = createTestHarness({
    workers: [
      {
        configPath: new URL('../wrangler.jsonc', import.meta.url),
        vars: { ...upstreams, ...vars },
        secrets: { KEY_FINGERPRINT_SECRET: secret },
      },
    ],
  });
  const { url } = await server.listen();
  return {
    url: url.href.replace(/\/$/, ''),
    /** Everything the Worker wrote with console.log, one string per line. */
    logs: () => server.getLogs().map((entry) => entry.message),
    close: () => server.close(),
  };
}

/**
 * The test harness sends the Worker's outbound requests through this process's fetch (so that tests can answer
 * them), which would follow redirects itself before the Worker saw them. The Worker asks for
 * `redirect: 'manual'`, which workerd honours on its own: this restores that here.
 */
export function honourManualRedirects() {
  const fetch = globalThis.fetch;
  globalThis.fetch = (input, init) => fetch(new Request(input, init), { redirect: 'manual' });
}
