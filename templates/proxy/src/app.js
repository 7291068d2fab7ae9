// Wiring: configuration in, a listening HTTP server out. server.js runs it; the tests start it in-process.

import http from 'node:http';
import { createFingerprint } from './keys.js';
import { createLogger } from './log.js';
import { createProxy } from './proxy.js';
import { createLimiter } from './rate-limit.js';
import { createStore } from './store.js';

/**
 * @param {import('./config.js').Config} config
 * @param {{ log?: import('./log.js').Logger }} [options]
 */
export async function startProxy(config, options = {}) {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const { store, fingerprintSecret } = await createStore(config, log);
  const limiter = createLimiter({ store, key: config.rateLimit.key, ip: config.rateLimit.ip });
  const proxy = createProxy({ config, limiter, fingerprint: createFingerprint(fingerprintSecret), log });

  const server = http.createServer(
    {
      // Slow clients: the headers, then the whole request, must arrive in time (slowloris). Node checks these
      // every `connectionsCheckingInterval` (30 s by default): every second keeps them close to what is set.
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
      keepAliveTimeout: 5_000,
      noDelay: true,
    },
    proxy.handle,
  );
  // Malformed requests never reach the proxy: answer them here, and never let them throw.
  server.on('clientError', (error, socket) => {
    log.debug('malformed request', { error });
    if (!socket.writable || /** @type {any} */ (error).code === 'ECONNRESET') return socket.destroy();
    const code = /** @type {any} */ (error).code;
    const status =
      code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let stopped;
  return {
    server,
    url,
    log,
    get inFlight() {
      return proxy.inFlight;
    },
    /**
     * Graceful stop: no new connections, new requests on open ones get 503, requests in flight finish
     * (streams included). Resolves when the last connection has closed.
     */
    shutdown() {
      stopped ??= new Promise((resolve) => {
        proxy.drain();
        // Connections become idle as their last answer completes; close them as they do.
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        server.close(async () => {
          clearInterval(idle);
          proxy.close();
          await limiter.close();
          resolve(undefined);
        });
        server.closeIdleConnections();
      });
      return stopped;
    },
    /** Stops at once: open connections and the requests on them are cut. */
    async close() {
      server.closeAllConnections();
      await this.shutdown();
    },
  };
}
