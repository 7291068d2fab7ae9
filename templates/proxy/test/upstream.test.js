import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { UpstreamTimeout, createUpstream } from '../src/upstream.js';

// The provider's connections, watched by one sweep rather than a timer per request (src/upstream.js).
describe('upstream connections', () => {
  /** @type {http.Server} */
  let server;
  /** Connections the server saw close, in order. */
  const closed = [];
  /** @type {(req: http.IncomingMessage, res: http.ServerResponse) => void} */
  let answer;
  let origin = '';

  before(async () => {
    server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => answer(req, res));
    server.on('connection', (socket) => socket.on('close', () => closed.push(socket)));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    origin = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  });
  after(() => server.close());

  /** @param {ReturnType<typeof createUpstream>} upstream */
  const get = (upstream) =>
    new Promise((resolve, reject) => {
      const request = upstream.request('/v1/models', { method: 'GET', headers: {} });
      request.on('error', reject);
      request.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve(body));
        response.on('error', reject);
      });
      request.end();
    });

  const upstreamFor = (/** @type {{ timeoutMs: number, poolIdleMs?: number }} */ options) =>
    createUpstream(/** @type {any} */ ({ url: new URL(origin) }), options);

  it('closes a pooled connection once it has been idle for poolIdleMs, and not before', async () => {
    answer = (req, res) => res.end('ok');
    const upstream = upstreamFor({ timeoutMs: 5_000, poolIdleMs: 400 });
    try {
      const before = closed.length;
      assert.equal(await get(upstream), 'ok');
      await sleep(200);
      assert.equal(closed.length, before, 'closed before it had been idle for poolIdleMs');
      await eventually(() => closed.length > before, 2_000);
    } finally {
      upstream.close();
    }
  });

  it('never applies the pool’s idle limit to a connection busy with a request', async () => {
    answer = (req, res) => setTimeout(() => res.end('late but fine'), 900);
    const upstream = upstreamFor({ timeoutMs: 3_000, poolIdleMs: 200 });
    try {
      assert.equal(await get(upstream), 'late but fine');
    } finally {
      upstream.close();
    }
  });

  it('does not charge a request with the time its connection waited in the pool', async () => {
    answer = (req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    };
    const upstream = upstreamFor({ timeoutMs: 600, poolIdleMs: 5_000 });
    try {
      assert.equal(await get(upstream), 'ok');
      await sleep(500); // the connection waits in the pool
      // The next request takes that connection and sends nothing for 300 ms (its body is still on its way): 800 ms
      // since the last byte, but only 300 ms of it as a request.
      const late = await new Promise((resolve, reject) => {
        const headers = { 'content-length': '2' };
        const request = upstream.request('/v1/chat/completions', { method: 'POST', headers });
        request.on('error', reject);
        request.on('response', (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve(body));
        });
        setTimeout(() => request.end('{}'), 300);
      });
      assert.equal(late, 'ok');
    } finally {
      upstream.close();
    }
  });

  const stalled = 'fails a request with UpstreamTimeout when nothing moves for timeoutMs, mid-answer too';
  it(stalled, { timeout: 5_000 }, async () => {
    answer = (req, res) => res.write('first part, then nothing');
    const upstream = upstreamFor({ timeoutMs: 400 });
    try {
      const started = performance.now();
      const error = await get(upstream).then(
        () => assert.fail('the stalled answer completed'),
        (/** @type {Error} */ failure) => failure,
      );
      assert.ok(error instanceof UpstreamTimeout, `failed with ${error}`);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 400 && elapsed < 1_500, `timed out after ${Math.round(elapsed)} ms`);
    } finally {
      upstream.close();
    }
  });
});

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * @param {() => boolean} check
 * @param {number} timeoutMs
 */
async function eventually(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not true within ${timeoutMs} ms`);
    await sleep(20);
  }
}
