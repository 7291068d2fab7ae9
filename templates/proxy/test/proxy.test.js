import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PROVIDERS } from '../src/providers.js';
import {
  allowedPath,
  eventually,
  fakeKey,
  json,
  keyHeaders,
  keySpellings,
  rawRequest,
  startStubProvider,
  startTestProxy,
} from './helpers.js';

const providers = Object.entries(PROVIDERS).map(([id, provider]) => ({ id, ...provider }));
const [first] = providers;

/** What an official SDK sends besides the key: every header on the provider's allowlist, `*` filled in. */
const sdkHeaders = (provider) =>
  Object.fromEntries(
    provider.forwardedHeaders
      // (Those the test sets itself, and those the proxy adds when missing, which it checks apart.)
      .filter((name) => !['content-type', 'content-length', 'accept-encoding'].includes(name) && !(name in provider.headers))
      .map((name) => [name.replace(/\*$/, 'os'), `sdk-${name.replace(/\*$/, 'os')}`]),
  );

/** Headers that would make a provider act on another method or path, or that carry the client's address. */
const HOSTILE_HEADERS = {
  'x-http-method-override': 'DELETE',
  'x-method-override': 'DELETE',
  'x-original-url': '/v1/organization/users',
  'x-rewrite-url': '/v1/organization/users',
  'fastly-client-ip': '203.0.113.9',
  'x-cluster-client-ip': '203.0.113.9',
  'true-client-ip': '203.0.113.9',
  'cf-connecting-ip': '203.0.113.9',
  'x-client-ip': '203.0.113.9',
  'x-custom-header': 'not on the allowlist',
};

/** Every header value the stub saw, as one string: where a key must appear once, in its auth header. */
const allHeaderText = (record) => JSON.stringify(record.headers);

for (const provider of providers) {
  describe(`${provider.label} route /${provider.id}/`, () => {
    let stub;
    let proxy;
    before(async () => {
      stub = await startStubProvider();
      proxy = await startTestProxy(stub, { RATE_LIMIT_BURST: '1000', IP_RATE_LIMIT_BURST: '1000' });
    });
    after(async () => {
      await proxy.close();
      await stub.close();
    });

    it('forwards an allowlisted request with the key in its auth header only, as the client sent it', async () => {
      const key = fakeKey();
      const path = allowedPath(provider);
      const response = await fetch(`${proxy.url}/${provider.id}${path}`, {
        method: 'POST',
        headers: {
          ...keyHeaders(provider, key),
          'content-type': 'application/json',
          cookie: 'session=secret',
          'x-forwarded-for': '203.0.113.9',
          ...sdkHeaders(provider),
          ...HOSTILE_HEADERS,
        },
        body: JSON.stringify({ hello: 'world' }),
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { ok: true });
      const seen = stub.requests.at(-1);
      assert.equal(seen.url, `/${provider.id}${path}`);
      assert.equal(seen.headers.host, new URL(stub.url).host, "the provider's host, not the proxy's");
      assert.equal(seen.body, '{"hello":"world"}');
      assert.equal(seen.headers[provider.auth.header], keyHeaders(provider, key)[provider.auth.header]);
      assert.equal(allHeaderText(seen).split(key).length, 2, 'the key appears once, in the auth header');
      assert.ok(!seen.url.includes(key));
      assert.equal(seen.headers.cookie, undefined);
      assert.equal(seen.headers['x-forwarded-for'], undefined);
      for (const [name, value] of Object.entries(sdkHeaders(provider))) assert.equal(seen.headers[name], value, name);
      for (const name of Object.keys(HOSTILE_HEADERS)) assert.equal(seen.headers[name], undefined, name);
      for (const [name, value] of Object.entries(provider.headers)) assert.equal(seen.headers[name], value);
    });

    for (const accepted of provider.auth.alsoAccepted ?? []) {
      it(`also takes the key in ${accepted.header} and forwards that header unchanged`, async () => {
        const key = fakeKey();
        const value = accepted.scheme ? `${accepted.scheme} ${key}` : key;
        const response = await fetch(`${proxy.url}/${provider.id}${allowedPath(provider)}`, {
          headers: { [accepted.header]: value },
        });
        assert.equal(response.status, 200);
        const seen = stub.requests.at(-1);
        assert.equal(seen.headers[accepted.header], value);
        assert.equal(seen.headers[provider.auth.header], undefined);
      });
    }

    it('logs a path whose segments matched `*` as its pattern, never as sent (a key may sit there)', async () => {
      const pattern = provider.paths.find((path) => path.includes('*'));
      const key = fakeKey();
      const logged = proxy.requestLog().length;
      const path = pattern.replace('/**', `/${key}/more`).replaceAll('*', key);
      const response = await fetch(`${proxy.url}/${provider.id}${path}`, { headers: keyHeaders(provider, fakeKey()) });
      assert.equal(response.status, 200);
      assert.equal(stub.requests.at(-1).url, `/${provider.id}${path}`);
      await eventually(() => proxy.requestLog().length > logged);
      assert.equal(proxy.requestLog()[logged].path, pattern);
      assert.ok(!proxy.lines.join('\n').includes(key));
    });

    it('logs refused paths and unknown routes without the text the client chose: a key may sit there, in no header', async () => {
      const key = fakeKey();
      const logged = proxy.requestLog().length;
      const attempts = [
        // The key only in the path (shapeless, so no shape catches it), or beside another key in the header.
        [`/${provider.id}/v1/not-allowed/${key}`, {}, 404],
        [`/${provider.id}/v1/not-allowed/${key}`, keyHeaders(provider, fakeKey()), 404],
        [`/${provider.id}/${key}`, {}, 404],
        [`/nosuch/${key}`, {}, 404],
        [`/${key}`, {}, 404],
        [`/${key}/v1/chat`, keyHeaders(provider, fakeKey()), 404],
      ];
      for (const [path, headers, status] of attempts) {
        const response = await fetch(`${proxy.url}${path}`, { headers });
        assert.equal(response.status, status, path);
      }
      const deleted = await fetch(`${proxy.url}/${provider.id}/v1/${key}`, { method: 'DELETE' });
      assert.equal(deleted.status, 405);
      await eventually(() => proxy.requestLog().length >= logged + attempts.length + 1);
      const paths = proxy.requestLog().slice(logged).map((line) => line.path);
      assert.ok(paths.every((path) => path.endsWith('/**') && !path.includes('not-allowed')), paths.join(' '));
      assert.ok(!proxy.lines.join('\n').includes(key));
    });

    it('never logs a key the client put in X-Request-Id or a header the debug line shows', async () => {
      const key = fakeKey();
      const logged = proxy.requestLog().length;
      const headers = { 'x-request-id': key, 'user-agent': `sdk/1.0 ${key}`, accept: key, 'content-type': key };
      // Without a key header, and beside another key in it: either way redaction does not know this key.
      const missing = await fetch(`${proxy.url}/${provider.id}${allowedPath(provider)}`, { headers });
      assert.equal(missing.status, 401);
      assert.notEqual(missing.headers.get('x-request-id'), key);
      const other = await fetch(`${proxy.url}/${provider.id}${allowedPath(provider)}`, {
        method: 'POST',
        headers: { ...headers, ...keyHeaders(provider, fakeKey()) },
        body: '{}',
      });
      await other.arrayBuffer();
      await eventually(() => proxy.requestLog().length >= logged + 2);
      assert.equal(proxy.requestLog()[logged].headers['user-agent'], 'sdk/1.0 [long]');
      assert.ok(!proxy.lines.join('\n').includes(key));
    });

    it('refuses paths off the allowlist, traversal included, without calling the provider', async () => {
      const before = stub.requests.length;
      const allowed = allowedPath(provider);
      const paths = [
        '/admin',
        '/v1/organization/users',
        `${allowed}/../../admin`,
        `${allowed}/%2e%2e/%2E%2E/admin`,
        `${allowed}%2F..%2Fadmin`,
        `${allowed}/`,
      ];
      for (const path of paths) {
        const headers = keyHeaders(provider, fakeKey());
        const response = await rawRequest(proxy.url, `/${provider.id}${path}`, { headers });
        assert.equal(response.status, 404, path);
      }
      assert.equal(stub.requests.length, before);
    });

    it('answers 401 in the provider’s error shape when the key is missing', async () => {
      const before = stub.requests.length;
      const response = await fetch(`${proxy.url}/${provider.id}${allowedPath(provider)}`);
      assert.equal(response.status, 401);
      const body = await response.text();
      assert.match(body, new RegExp(provider.auth.scheme ? 'Authorization' : provider.auth.header));
      assert.equal(stub.requests.length, before);
    });

    it('refuses a key in the query string with 400 naming the header to use', async () => {
      const key = fakeKey();
      const response = await fetch(`${proxy.url}/${provider.id}${allowedPath(provider)}?key=${key}`);
      assert.equal(response.status, 400);
      const body = await response.text();
      assert.match(body, new RegExp(provider.auth.scheme ? 'Authorization' : provider.auth.header));
      assert.ok(!body.includes(key));
      await eventually(() => proxy.lines.length > 0 && !proxy.lines.some((line) => line.includes(key)));
    });

    it('refuses the key in the URL however the parameter is spelled, or under any name, without repeating it', async () => {
      const before = stub.requests.length;
      const key = fakeKey();
      const base = `${proxy.url}/${provider.id}${allowedPath(provider)}`;
      const cases = [
        [`${base}?x=1&key%00=${key}`, {}],
        [`${base}?API.KEY=${key}`, {}],
        [`${base}?q=${key}`, keyHeaders(provider, key)],
        [`${base}?q=${encodeURIComponent(key).replace(/./g, (c) => `%${c.charCodeAt(0).toString(16)}`)}`, keyHeaders(provider, key)],
        [`${base}?${key}`, keyHeaders(provider, key)],
      ];
      for (const [url, headers] of cases) {
        const response = await fetch(url, { headers });
        assert.equal(response.status, 400, url.replace(key, '<key>'));
        assert.ok(!(await response.text()).includes(key.slice(0, 12)));
      }
      assert.equal(stub.requests.length, before);
      await eventually(() => proxy.lines.length > 0 && !proxy.lines.some((line) => line.includes(key)));
    });

    it('forwards DELETE where the catalog allows it (a stored response, a file), and answers 405 elsewhere', async () => {
      const headers = keyHeaders(provider, fakeKey());
      const chat = await fetch(`${proxy.url}/${provider.id}${allowedPath(provider)}`, { method: 'DELETE', headers });
      assert.equal(chat.status, 405);
      assert.equal(chat.headers.get('allow'), 'GET, POST');
      for (const pattern of provider.deletePaths) {
        const path = pattern.replaceAll('*', 'item_123');
        const before = stub.requests.length;
        const response = await fetch(`${proxy.url}/${provider.id}${path}`, { method: 'DELETE', headers });
        assert.equal(response.status, 200, path);
        assert.equal(stub.requests.length, before + 1);
        assert.deepEqual([stub.requests.at(-1).method, stub.requests.at(-1).url], ['DELETE', `/${provider.id}${path}`]);
        const below = await fetch(`${proxy.url}/${provider.id}${path}/content`, { method: 'DELETE', headers });
        assert.equal(below.status, 405, `${path}/content`);
      }
    });

    it('forwards a query string without a key', async () => {
      const key = fakeKey();
      const response = await fetch(`${proxy.url}/${provider.id}${allowedPath(provider)}?limit=2&monkey=1`, {
        headers: keyHeaders(provider, key),
      });
      assert.equal(response.status, 200);
      assert.match(stub.requests.at(-1).url, /\?limit=2&monkey=1$/);
    });

    it('validates keys with the provider’s key check', async () => {
      const invalid = provider.keyCheck.rules.find((rule) => rule.outcome === 'invalid');
      const refusal = { error: { message: `bad ${invalid.bodyIncludes ?? 'key'}` } };
      const cases = [
        [(req, res) => json(res, 200, { data: [] }), 200, 'valid'],
        [(req, res) => json(res, invalid.status, refusal), 200, 'invalid'],
        [(req, res) => json(res, 500, { error: { message: 'down' } }), 502, 'unreachable'],
      ];
      for (const [handler, status, reason] of cases) {
        stub.next(handler);
        const key = fakeKey();
        const response = await fetch(`${proxy.url}/${provider.id}/byok/validate`, {
          method: 'POST',
          headers: keyHeaders(provider, key),
        });
        assert.equal(response.status, status);
        assert.deepEqual(await response.json(), { valid: reason === 'valid', provider: provider.id, reason });
        const seen = stub.requests.at(-1);
        assert.equal(seen.url, `/${provider.id}${provider.keyCheck.path}`);
        assert.equal(seen.method, 'GET');
      }
    });

    it('removes the key from an upstream error that echoes it, in the answer and in the logs', async () => {
      const key = fakeKey();
      stub.next((req, res) => json(res, 500, { error: { message: `internal error for key ${key}` } }));
      const response = await fetch(`${proxy.url}/${provider.id}${allowedPath(provider)}`, {
        method: 'POST',
        headers: keyHeaders(provider, key),
        body: '{}',
      });
      assert.equal(response.status, 500);
      const body = await response.text();
      assert.ok(!body.includes(key), body);
      assert.match(body, /internal error for key \[redacted\]/);
      await eventually(() => proxy.lines.some((line) => line.includes('internal error for key')));
      assert.ok(!proxy.lines.join('\n').includes(key));
    });
  });
}

describe('hardening', () => {
  let stub;
  let proxy;
  const url = (path = allowedPath(first)) => `${proxy.url}/${first.id}${path}`;
  before(async () => {
    stub = await startStubProvider();
    proxy = await startTestProxy(stub, {
      RATE_LIMIT_BURST: '1000',
      IP_RATE_LIMIT_BURST: '1000',
      MAX_BODY_BYTES: '1000',
      UPSTREAM_TIMEOUT_MS: '1000',
      ALLOWED_ORIGINS: 'https://app.example',
    });
  });
  after(async () => {
    await proxy.close();
    await stub.close();
  });

  it('passes a streamed answer through as it comes, without buffering it', async () => {
    let release;
    const released = new Promise((resolve) => (release = resolve));
    stub.next(async (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      await released;
      res.end('data: last\n\n');
    });
    const response = await fetch(url(), { method: 'POST', headers: keyHeaders(first, fakeKey()), body: '{}' });
    const reader = response.body.getReader();
    const { value } = await reader.read();
    assert.equal(Buffer.from(value).toString(), 'data: first\n\n', 'the first event arrives while the stream is open');
    release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += Buffer.from(chunk.value).toString();
    }
    assert.equal(rest, 'data: last\n\n');
  });

  it('cuts the client’s answer when the provider’s breaks off, so it cannot pass for complete', async () => {
    stub.next((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: partial\n\n');
      setTimeout(() => res.socket.destroy(), 50);
    });
    const response = await fetch(url(), { method: 'POST', headers: keyHeaders(first, fakeKey()), body: '{}' });
    await assert.rejects(response.text());
    await eventually(() => proxy.requestLog().some((entry) => entry.error === 'upstream_incomplete'));
  });

  it('refuses a body over MAX_BODY_BYTES with 413, declared or streamed', async () => {
    const before = stub.requests.length;
    const headers = keyHeaders(first, fakeKey());
    const declared = await fetch(url(), { method: 'POST', headers, body: 'x'.repeat(1001) });
    assert.equal(declared.status, 413);
    assert.equal(stub.requests.length, before, 'a declared oversized body never reaches the provider');

    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i += 1) controller.enqueue(new TextEncoder().encode('y'.repeat(400)));
        controller.close();
      },
    });
    const streamed = await fetch(url(), { method: 'POST', headers, body: chunked, duplex: 'half' });
    assert.equal(streamed.status, 413);
  });

  it('answers 504 when the provider is silent for UPSTREAM_TIMEOUT_MS, 502 when it cannot be reached', async () => {
    stub.next(() => {}); // never answers
    const silent = await fetch(url(), { headers: keyHeaders(first, fakeKey()) });
    assert.equal(silent.status, 504);
    await eventually(() => stub.requests.at(-1).closedEarly);

    const unreachable = await startTestProxy({ url: 'http://127.0.0.1:9' });
    try {
      const response = await fetch(`${unreachable.url}/${first.id}${allowedPath(first)}`, {
        headers: keyHeaders(first, fakeKey()),
      });
      assert.equal(response.status, 502);
    } finally {
      await unreachable.close();
    }
  });

  it('aborts the upstream request when the client goes away', async () => {
    stub.next(() => {}); // never answers
    const stop = new AbortController();
    const seen = stub.requests.length;
    const headers = keyHeaders(first, fakeKey());
    const pending = fetch(url(), { headers, signal: stop.signal }).catch(() => 'aborted');
    await eventually(() => stub.requests.length > seen);
    stop.abort();
    assert.equal(await pending, 'aborted');
    await eventually(() => stub.requests.at(-1).closedEarly);
    await eventually(() => proxy.requestLog().some((entry) => entry.status === 499));
  });

  it('answers CORS for allowed origins only', async () => {
    const preflight = await fetch(url(), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-api-key',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(preflight.headers.get('access-control-allow-headers'), /x-api-key/);
    // What the SDKs read to decide on retries, and the ids a user quotes.
    const exposed = (await fetch(url(), { headers: { origin: 'https://app.example', ...keyHeaders(first, fakeKey()) } }))
      .headers.get('access-control-expose-headers');
    for (const name of ['retry-after', 'retry-after-ms', 'x-should-retry', 'x-request-id', 'request-id']) {
      assert.ok(exposed.split(', ').includes(name), name);
    }

    const headers = { origin: 'https://evil.example', ...keyHeaders(first, fakeKey()) };
    const refused = await fetch(url(), { headers });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });

  it('does not pass back the provider’s cookies or CORS headers', async () => {
    const headers = { 'set-cookie': 'tracking=1', 'access-control-allow-origin': '*' };
    stub.next((req, res) => json(res, 200, { ok: true }, headers));
    const response = await fetch(url(), { headers: keyHeaders(first, fakeKey()) });
    assert.equal(response.headers.get('set-cookie'), null);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  it('cuts off a client that sends its headers too slowly (HEADERS_TIMEOUT_MS)', async () => {
    const slow = await startTestProxy(stub, { HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '300' });
    try {
      const started = Date.now();
      const answer = await new Promise((resolve) => {
        const port = Number(new URL(slow.url).port);
        const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\n'));
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('close', () => resolve(text));
      });
      assert.match(answer, /^HTTP\/1\.1 408/);
      assert.ok(Date.now() - started < 3000, 'within a few checking intervals');
    } finally {
      await slow.close();
    }
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    const port = Number(new URL(proxy.url).port);
    const malformed = [
      'NOT HTTP AT ALL\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      '\u0000\u0001\u0002\r\n\r\n',
    ];
    for (const garbage of malformed) {
      const answer = await new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.end(garbage));
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
      assert.match(answer, /^HTTP\/1\.1 400/);
    }
    const health = await fetch(`${proxy.url}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok' });
  });

  it('writes one JSON log line per request, with the key’s fingerprint and never the key', async () => {
    const key = fakeKey();
    const logged = proxy.requestLog().length;
    await fetch(url(), { headers: keyHeaders(first, key) });
    await eventually(() => proxy.requestLog().length > logged);
    const entry = proxy.requestLog()[logged];
    assert.equal(entry.provider, first.id);
    assert.equal(entry.method, 'GET');
    assert.equal(entry.status, 200);
    assert.match(entry.keyFingerprint, /^[0-9a-f]{8}$/);
    assert.equal(typeof entry.durationMs, 'number');
    assert.ok(!proxy.lines.join('\n').includes(key));
  });
});

describe('hostile clients and upstreams', () => {
  let stub;
  let proxy;
  const url = () => `${proxy.url}/${first.id}${allowedPath(first)}`;
  /** Every log line parses as JSON, and none holds the key in any spelling. */
  const assertLogClean = (key) => {
    for (const line of proxy.lines) {
      JSON.parse(line);
      for (const [name, spelling] of Object.entries(keySpellings(key))) assert.ok(!line.includes(spelling), name);
    }
  };
  before(async () => {
    stub = await startStubProvider();
    proxy = await startTestProxy(stub, { RATE_LIMIT_BURST: '1000', IP_RATE_LIMIT_BURST: '1000' });
  });
  after(async () => {
    await proxy.close();
    await stub.close();
  });

  it('refuses values that cannot be keys with 401 before any other work; every log line stays valid JSON', async () => {
    const header = first.auth.header;
    const spell = (value) => (first.auth.scheme ? `${first.auth.scheme} ${value}` : value);
    const values = ['"', '4', 'request', ':', 'short-key', `${fakeKey()}"`, `${fakeKey()}\\`, `${fakeKey()};x`];
    const seen = stub.requests.length;
    const logged = proxy.requestLog().length;
    for (const value of values) {
      const response = await rawRequest(proxy.url, `/${first.id}${allowedPath(first)}`, { headers: { [header]: spell(value) } });
      assert.equal(response.status, 401, value);
      assert.match(response.body, /Send your/);
    }
    // A header sent twice reaches Node as both values joined by ", ": which one did the client mean?
    const twice = await rawRequest(proxy.url, `/${first.id}${allowedPath(first)}`, {
      headers: { [header]: [spell(fakeKey()), spell(fakeKey())] },
    });
    assert.equal(twice.status, 401);
    assert.match(twice.body, /more than once/);
    assert.equal(stub.requests.length, seen, 'nothing reached the provider');
    await eventually(() => proxy.requestLog().length >= logged + values.length + 1);
    for (const entry of proxy.requestLog().slice(logged)) {
      assert.equal(entry.msg, 'request');
      assert.equal(entry.status, 401);
      assert.equal(entry.error, 'implausible_key');
      assert.equal(entry.keyFingerprint, undefined, 'no bucket, no fingerprint: nothing was done with it');
    }
    for (const line of proxy.lines) JSON.parse(line);
  });

  it('never passes on a redirect from the provider: 502 with its own code, logged', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      stub.next((req, res) => {
        res.writeHead(status, { location: 'http://127.0.0.1:9/elsewhere/v1/messages', 'content-length': '0' });
        res.end();
      });
      const logged = proxy.requestLog().length;
      const response = await fetch(url(), {
        method: 'POST',
        headers: keyHeaders(first, fakeKey()),
        body: '{}',
        redirect: 'manual',
      });
      assert.equal(response.status, 502, String(status));
      assert.equal(response.headers.get('location'), null);
      assert.match(await response.text(), /redirect/);
      await eventually(() => proxy.requestLog().length > logged);
      const entry = proxy.requestLog()[logged];
      assert.equal(entry.level, 'error');
      assert.equal(entry.error, 'upstream_redirect');
      assert.equal(entry.upstreamError, `redirect_${status}`);
    }
  });

  it('scrubs the key from the provider’s response headers, in every spelling', async () => {
    const key = fakeKey();
    const spellings = Object.values(keySpellings(key));
    const echo = {
      'www-authenticate': `Bearer realm="api", error="invalid_token", token="${key}"`,
      ...Object.fromEntries(spellings.map((spelling, i) => [`x-echo-${i}`, `seen ${spelling}`])),
    };
    for (const status of [200, 401]) {
      stub.next((req, res) => json(res, status, { ok: status === 200 }, echo));
      const response = await fetch(url(), { headers: keyHeaders(first, key) });
      assert.equal(response.status, status);
      const headers = JSON.stringify([...response.headers]);
      for (const spelling of spellings) assert.ok(!headers.includes(spelling), spelling);
      assert.match(response.headers.get('www-authenticate'), /token="\[redacted\]"/);
      assert.equal(response.headers.get('x-echo-0'), 'seen [redacted]');
    }
    await eventually(() => proxy.requestLog().length > 0);
    assertLogClean(key);
  });

  it('scrubs every spelling of the key from error bodies, in the answer and the logs', async () => {
    const key = `${fakeKey()}/+=`;
    for (const [name, spelling] of Object.entries(keySpellings(key))) {
      // Written by hand, as an upstream that escapes every character would write it.
      const body = `{"error":{"type":"invalid_request_error","message":"Incorrect API key provided: ${spelling}."}}`;
      stub.next((req, res) => {
        res.writeHead(401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      const logged = proxy.requestLog().length;
      const response = await fetch(url(), { headers: keyHeaders(first, key) });
      assert.equal(response.status, 401);
      const text = await response.text();
      for (const other of Object.values(keySpellings(key))) assert.ok(!text.includes(other), `${name}: ${text}`);
      // (Base64 keeps what encodes the neighbours, and the characters mixing their bits with the key's.)
      assert.match(text, /Incorrect API key provided: \S*\[redacted\]\S*\./, name);
      await eventually(() => proxy.requestLog().length > logged);
    }
    assertLogClean(key);
  });
});

describe('operations', () => {
  let stub;
  let proxy;
  const url = () => `${proxy.url}/${first.id}${allowedPath(first)}`;
  before(async () => {
    stub = await startStubProvider();
    proxy = await startTestProxy(stub, {
      RATE_LIMIT_BURST: '3',
      RATE_LIMIT_PER_MINUTE: '1',
      IP_RATE_LIMIT_BURST: '1000',
      METRICS_PORT: '0',
      UPSTREAM_TIMEOUT_MS: '1000',
      HEADERS_TIMEOUT_MS: '300',
      REQUEST_TIMEOUT_MS: '400',
      KEEP_ALIVE_TIMEOUT_MS: '1500',
    });
  });
  after(async () => {
    await proxy.close();
    await stub.close();
  });
  const lastEntry = async (logged) => {
    await eventually(() => proxy.requestLog().length > logged);
    return proxy.requestLog()[logged];
  };

  it('keeps a well-formed X-Request-Id or makes one, returns it and logs it with the provider’s own id', async () => {
    stub.next((req, res) => json(res, 200, { ok: true }, { 'x-request-id': 'req_upstream_1' }));
    let logged = proxy.requestLog().length;
    const kept = await fetch(url(), { headers: { ...keyHeaders(first, fakeKey()), 'x-request-id': 'lb-1234.abc' } });
    assert.equal(kept.headers.get('x-request-id'), 'lb-1234.abc');
    assert.equal(kept.headers.get('x-upstream-request-id'), 'req_upstream_1');
    let entry = await lastEntry(logged);
    assert.equal(entry.requestId, 'lb-1234.abc');
    assert.equal(entry.upstreamRequestId, 'req_upstream_1');

    logged = proxy.requestLog().length;
    const made = await fetch(`${proxy.url}/nowhere`, { headers: { 'x-request-id': 'not ok "quoted" <id>' } });
    const id = made.headers.get('x-request-id');
    assert.match(id, /^[0-9a-f]{12}-[0-9a-z]+$/);
    entry = await lastEntry(logged);
    assert.equal(entry.requestId, id);
  });

  it('serves Prometheus metrics on their own port only: requests, latency, limits, upstream errors, in flight', async () => {
    const key = fakeKey();
    for (let i = 0; i < 5; i += 1) await (await fetch(url(), { headers: keyHeaders(first, key) })).arrayBuffer();
    stub.next((req, res) => res.writeHead(307, { location: 'http://127.0.0.1:9/', 'content-length': '0' }).end());
    await (await fetch(url(), { headers: keyHeaders(first, fakeKey()) })).arrayBuffer();
    assert.equal((await fetch(`${proxy.url}/metrics`)).status, 404, 'not on the proxy’s port');
    await eventually(() => proxy.requestLog().length >= 6);
    const text = await (await fetch(proxy.metricsUrl)).text();
    const value = (series) => Number(new RegExp(`^${series.replace(/[{}"|+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.ok(value(`byok_proxy_requests_total{provider="${first.id}",status="200"}`) >= 3);
    assert.ok(value(`byok_proxy_requests_total{provider="${first.id}",status="429"}`) >= 1);
    assert.ok(value('byok_proxy_rate_limited_total{reason="key"}') >= 1);
    assert.equal(value(`byok_proxy_upstream_errors_total{provider="${first.id}",error="upstream_redirect"}`), 1);
    assert.ok(value(`byok_proxy_request_duration_seconds_count{provider="${first.id}"}`) >= 6);
    assert.ok(value(`byok_proxy_request_duration_seconds_bucket{provider="${first.id}",le="+Inf"}`) >= 6);
    assert.equal(value('byok_proxy_in_flight'), 0);
    assert.match(text, /# TYPE byok_proxy_request_duration_seconds histogram/);
    assert.ok(!text.includes(key));
  });

  it('logs a request whose body came too slowly as the 408 it got, not as a client that left', async () => {
    const logged = proxy.requestLog().length;
    const port = Number(new URL(proxy.url).port);
    const key = fakeKey();
    const header = Object.entries(keyHeaders(first, key)).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    const answer = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(`POST /${first.id}${allowedPath(first)} HTTP/1.1\r\nhost: x\r\n${header}content-length: 100\r\n\r\n{"partial":`),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    const entry = await lastEntry(logged);
    assert.equal(entry.status, 408);
    assert.equal(entry.error, 'request_timeout');
  });

  it('logs a stream that stalls midway as an error, not as a 200 at info level', async () => {
    stub.next((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n'); // then nothing, for longer than UPSTREAM_TIMEOUT_MS
    });
    const logged = proxy.requestLog().length;
    const response = await fetch(url(), { method: 'POST', headers: keyHeaders(first, fakeKey()), body: '{}' });
    await assert.rejects(response.text());
    const entry = await lastEntry(logged);
    assert.equal(entry.level, 'error');
    assert.equal(entry.error, 'upstream_stalled');
  });

  it('keeps an idle connection open for KEEP_ALIVE_TIMEOUT_MS, past the header timeout, then closes it', async () => {
    const socket = net.connect(Number(new URL(proxy.url).port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk) => (received += chunk));
    const closed = new Promise((resolve) => socket.once('close', () => resolve(performance.now())));
    const answers = () => received.split('HTTP/1.1 200').length - 1;
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await eventually(() => answers() === 1);
    await new Promise((resolve) => setTimeout(resolve, 700)); // idle past HEADERS_TIMEOUT_MS and REQUEST_TIMEOUT_MS
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await eventually(() => answers() === 2);
    const idleFrom = performance.now();
    const idle = (await closed) - idleFrom;
    assert.ok(idle > 1200 && idle < 4000, `closed after ${Math.round(idle)} ms idle`);
  });
});

describe('rate limits', () => {
  let stub;
  let proxy;
  const url = () => `${proxy.url}/${first.id}${allowedPath(first)}`;
  before(async () => {
    stub = await startStubProvider();
    proxy = await startTestProxy(stub, {
      RATE_LIMIT_BURST: '5',
      RATE_LIMIT_PER_MINUTE: '1',
      IP_RATE_LIMIT_BURST: '3',
      IP_RATE_LIMIT_PER_MINUTE: '1',
    });
  });
  after(async () => {
    await proxy.close();
    await stub.close();
  });

  it('lets exactly RATE_LIMIT_BURST requests of one key through at once, then 429 with Retry-After', async () => {
    const key = fakeKey();
    // The first request proves the key to the proxy; from then on only the key's bucket counts.
    assert.equal((await fetch(url(), { headers: keyHeaders(first, key) })).status, 200);
    const concurrent = Array.from({ length: 12 }, () => fetch(url(), { headers: keyHeaders(first, key) }));
    const answers = await Promise.all(concurrent);
    const statuses = answers.map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 200).length, 4);
    assert.equal(statuses.filter((status) => status === 429).length, 8);
    const refused = answers.find((response) => response.status === 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal(refused.headers.get('ratelimit-policy'), '"key";q=5;w=300');
    assert.match(refused.headers.get('ratelimit'), /^"key";r=0;t=\d+$/);
  });

  it('limits requests without a working key by client address, whatever the key', async () => {
    stub.next((req, res) => json(res, 401, { error: { message: 'invalid' } }));
    stub.next((req, res) => json(res, 401, { error: { message: 'invalid' } }));
    const statuses = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await fetch(url(), { headers: keyHeaders(first, fakeKey()) })).status);
    }
    // The address bucket (3) was already used once by the first test's first request.
    assert.deepEqual(statuses, [401, 401, 429, 429, 429, 429]);
  });
});
