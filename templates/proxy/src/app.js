// Wiring: configuration in, a listening HTTP server out. server.js runs it; the tests start it in-process.

import http from 'node:http';
import { createFingerprint } from './keys.js';
import { createLogger } from './log.js';
import { createMetrics, serveMetrics } from './metrics.js';
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
  const metrics = config.metrics.port === undefined ? undefined : createMetrics();
  const proxy = createProxy({ config, limiter, fingerprint: createFingerprint(fingerprintSecret), log, metrics });

  const server = http.createServer(
    {
      // Slow clients: the headers, then the whole request, must arrive in time (slowloris). Node checks these
      // every `connectionsCheckingInterval` (30 s by default): every second keeps them close to what is set.
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
      // Longer than the idle timeout of the load balancer in front (60 s is common): the balancer must be the
      // one to close an idle connection, or it may send a request on one the proxy is closing, and fail it.
      keepAliveTimeout: config.keepAliveTimeoutMs,
      noDelay: true,
    },
    proxy.handle,
  );
  // Malformed requests never reach the proxy: answer them here, and never let them throw.
  server.on('clientError', (error, socket) => {
    log.debug('malformed request', { error });
    if (!socket.writable || /** @type {any} */ (error).code === 'ECONNRESET') return socket.destroy();
    const code = /** @type {any} */ (error).code;
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT') proxy.requestTimedOut(socket);
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
  const metricsServer = metrics && (await serveMetrics(metrics, config.metrics));
  const metricsAddress = /** @type {import('node:net').AddressInfo | undefined} */ (metricsServer?.address());

  let stopped;
  return {
    server,
    url,
    /** Where GET /metrics answers, when METRICS_PORT is set. */
    metricsUrl: metricsAddress && `http://${metricsAddress.address}:${metricsAddress.port}/metrics`,
    log,
    get inFlight() {
      return proxy.inFlight;
    },
    /**
     * Graceful stop, for a rolling deploy:
     *   1. at once, /healthz answers 503 (the load balancer takes this replica out), while requests are still
     *      served for `graceMs` (the time the balancer needs to notice);
     *   2. then new connections are refused, new requests on open ones get 503, and requests in flight
     *      (streams included) finish, for `timeoutMs` at most;
     *   3. then what is left is cut, each request logged as cut.
     * Resolves when the last connection has closed.
     * @param {{ graceMs?: number, timeoutMs?: number }} [options]
     */
    shutdown({ graceMs = 0, timeoutMs = config.shutdownTimeoutMs } = {}) {
      stopped ??= (async () => {
        proxy.unready();
        if (graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
        proxy.drain();
        const closed = new Promise((resolve) => server.close(resolve));
        // Connections become idle as their last answer completes; close them as they do.
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        /** @type {NodeJS.Timeout | undefined} */
        let deadline;
        const timedOut = new Promise((resolve) => (deadline = setTimeout(resolve, timeoutMs, 'timed out')));
        if ((await Promise.race([closed, timedOut])) === 'timed out') {
          proxy.cut();
          server.closeAllConnections();
          await closed;
        }
        await proxy.idle();
        clearTimeout(deadline);
        clearInterval(idle);
        proxy.close();
        metricsServer?.close();
        await limiter.close();
      })();
      return stopped;
    },
    /** Stops at once: open connections and the requests on them are cut. */
    async close() {
      const done = this.shutdown({ graceMs: 0, timeoutMs: 0 });
      server.closeAllConnections();
      await done;
    },
  };
}
