// Requests to a provider: node:http(s) with a keep-alive agent per provider, so a forwarded request reuses an
// open TLS connection instead of paying a handshake each time. (Measured against fetch: plain node:http keeps
// the proxy close to a bare pass-through, and passes compressed bodies through without decoding them.)

import http from 'node:http';
import https from 'node:https';

/** Nothing moved on the connection to the provider for `timeoutMs`: before its answer, or in the middle of it. */
export class UpstreamTimeout extends Error {
  code = 'UPSTREAM_TIMEOUT';
}

/**
 * How long a connection may wait in the pool for its next request. Servers commonly close idle keep-alive
 * connections after 5 s or more, and a request sent on a connection the server is closing fails: the proxy
 * closes them first (after 3 to 4 s, as the sweep finds them).
 */
const POOL_IDLE_MS = 3_000;

/**
 * What the sweeps last saw of each connection: its byte count, whether it was busy with a request, and since
 * when neither has changed. Kept here rather than on the socket: a property added to Node's sockets changes
 * their shape, and every property access Node makes on sockets slows down (it cost more than the timers this
 * replaces).
 * @type {WeakMap<import('node:net').Socket, { moved: number, busy: boolean, since: number }>}
 */
const seen = new WeakMap();

/**
 * @param {import('./config.js').ProviderConfig} provider
 * @param {{ timeoutMs: number, poolIdleMs?: number }} options  how long the provider may stay silent
 *   (UPSTREAM_TIMEOUT_MS), and a connection may wait in the pool
 */
export function createUpstream(provider, { timeoutMs, poolIdleMs = POOL_IDLE_MS }) {
  const { url } = provider;
  const transport = url.protocol === 'https:' ? https : http;
  // Up to 1,000 idle connections are kept: with more requests in flight than idle connections kept, each
  // burst would close connections only to open (and handshake) new ones a moment later. No `timeout` here,
  // nor on each request: the sweep below does both jobs (see sweep).
  const agent = new transport.Agent({ keepAlive: true, maxFreeSockets: 1_000, scheduling: 'lifo' });
  const interval = Math.min(1_000, timeoutMs / 4, poolIdleMs / 3);
  const sweeper = setInterval(() => sweep(agent, { timeoutMs, poolIdleMs }), interval);
  sweeper.unref();
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // An origin may carry a path prefix (a gateway, a test server): request paths are appended to it unchanged.
  const prefix = url.pathname.replace(/\/+$/, '');
  const { port } = url;
  return {
    /** The Host header of requests to this provider (hostname, and port when not the default). */
    host: url.host,
    /**
     * A request to the provider. It fails with UpstreamTimeout when nothing moves on it for `timeoutMs`.
     * @param {string} target  path and query, already checked against the allowlist
     * @param {{
     *   method: string,
     *   headers: Record<string, string | string[]> | Array<string | string[]>,
     *   signal?: AbortSignal,
     * }} options
     */
    request: (target, { method, headers, signal }) => {
      // Node copies these options twice a request, at about 0.1 µs a property: none is passed without a value
      // (the protocol is the transport's).
      const options = { hostname, port, path: prefix + target, agent, method, headers };
      return transport.request(signal ? { ...options, signal } : options);
    },
    close: () => {
      clearInterval(sweeper);
      agent.destroy();
    },
  };
}

/**
 * One timer for all of a provider's connections, instead of one per request: arming a socket's timeout for
 * each request, and re-arming the pool's when the socket returns to it, made two timers and cancelled two for
 * every request (bench/PROXY.md, "Third pass"). Every second (more often for short limits) each connection's
 * byte count, which Node keeps anyway, is compared with the last sweep's:
 *   - a connection in the pool that has been idle for `poolIdleMs` is closed;
 *   - a connection busy with a request that has been silent for `timeoutMs` (the provider stalled, before its
 *     answer or in the middle of it) is destroyed with UpstreamTimeout, which its request reports.
 * Silence is measured from the first sweep that saw the last byte, or the connection taken from the pool or
 * returned to it: a limit is applied within one interval after it is due, never before.
 * @param {http.Agent} agent
 * @param {{ timeoutMs: number, poolIdleMs: number }} limits
 */
function sweep(agent, { timeoutMs, poolIdleMs }) {
  const now = performance.now();
  for (const sockets of Object.values(agent.freeSockets)) {
    for (const socket of [...(sockets ?? [])]) if (silentFor(socket, false, now) >= poolIdleMs) socket.destroy();
  }
  for (const sockets of Object.values(agent.sockets)) {
    for (const socket of [...(sockets ?? [])]) {
      if (silentFor(socket, true, now) >= timeoutMs) socket.destroy(new UpstreamTimeout());
    }
  }
}

/**
 * How long nothing has moved on a connection in its present state (in the pool, or busy with a request), as
 * far as the sweeps can tell. A request that has not sent a byte yet (its body is still on its way from the
 * client) is not charged with the time its connection waited in the pool.
 * @param {import('node:net').Socket} socket
 * @param {boolean} busy
 * @param {number} now
 */
function silentFor(socket, busy, now) {
  const moved = socket.bytesRead + socket.bytesWritten;
  const last = seen.get(socket);
  if (last === undefined || last.moved !== moved || last.busy !== busy) {
    seen.set(socket, { moved, busy, since: now });
    return 0;
  }
  return now - last.since;
}

/** @typedef {ReturnType<typeof createUpstream>} Upstream */
