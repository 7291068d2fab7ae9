// Requests to a provider: node:http(s) with a keep-alive agent per provider, so a forwarded request reuses an
// open TLS connection instead of paying a handshake each time. (Measured against fetch: plain node:http keeps
// the proxy close to a bare pass-through, and passes compressed bodies through without decoding them.)

import http from 'node:http';
import https from 'node:https';

/**
 * @param {import('./config.js').ProviderConfig} provider
 */
export function createUpstream(provider) {
  const { url } = provider;
  const transport = url.protocol === 'https:' ? https : http;
  // Idle connections are closed after 4 s, before the other side does: servers commonly close idle keep-alive
  // connections after 5 s or more, and a request sent on a connection the server is closing fails. Up to 1,000
  // of them are kept meanwhile: with more requests in flight than idle connections kept, each burst would close
  // connections only to open (and handshake) new ones a moment later.
  const agent = new transport.Agent({ keepAlive: true, timeout: 4_000, maxFreeSockets: 1_000, scheduling: 'lifo' });
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // An origin may carry a path prefix (a gateway, a test server): request paths are appended to it unchanged.
  const prefix = url.pathname.replace(/\/+$/, '');
  const { protocol, port } = url;
  return {
    /** The Host header of requests to this provider (hostname, and port when not the default). */
    host: url.host,
    /**
     * @param {string} target  path and query, already checked against the allowlist
     * @param {{
     *   method: string,
     *   headers: Record<string, string | string[]> | Array<string | string[]>,
     *   timeout?: number,
     *   signal?: AbortSignal,
     * }} options
     */
    request: (target, { method, headers, timeout, signal }) =>
      transport.request({ protocol, hostname, port, path: prefix + target, agent, method, headers, timeout, signal }),
    close: () => agent.destroy(),
  };
}

/** @typedef {ReturnType<typeof createUpstream>} Upstream */
