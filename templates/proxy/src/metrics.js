// Prometheus metrics, in the text exposition format, without a client library. Off unless METRICS_PORT is set;
// then served on their own listener (METRICS_HOST, 127.0.0.1 by default), never on the proxy's port, so that
// whoever can call the proxy cannot read them.
//
// Every label comes from a short fixed set (provider ids, HTTP statuses, the proxy's own codes): nothing a
// client or a provider writes becomes a label, so the number of series stays bounded and no key can end up in
// one.

import http from 'node:http';

/** Upper bounds of the latency histogram, in seconds: from a fast refusal to a long non-streamed answer. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export function createMetrics() {
  /** @type {Map<string, number>} `provider|status` -> count */
  const requests = new Map();
  /** @type {Map<string, { counts: number[], sum: number, count: number }>} by provider */
  const durations = new Map();
  /** @type {Map<string, number>} reason -> count */
  const limited = new Map();
  /** @type {Map<string, number>} `provider|error` -> count */
  const upstreamErrors = new Map();
  let inFlight = 0;

  const increment = (/** @type {Map<string, number>} */ map, /** @type {string} */ key) => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };

  return {
    started() {
      inFlight += 1;
    },
    /**
     * One finished request.
     * @param {{ provider: string, status: number, seconds: number, limitedBy?: string, upstreamError?: string }} request
     */
    finished({ provider, status, seconds, limitedBy, upstreamError }) {
      inFlight -= 1;
      increment(requests, `${provider}|${status}`);
      let histogram = durations.get(provider);
      if (!histogram) {
        histogram = { counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
        durations.set(provider, histogram);
      }
      for (let i = 0; i < DURATION_BUCKETS.length; i += 1) if (seconds <= DURATION_BUCKETS[i]) histogram.counts[i] += 1;
      histogram.sum += seconds;
      histogram.count += 1;
      if (limitedBy) increment(limited, limitedBy);
      if (upstreamError) increment(upstreamErrors, `${provider}|${upstreamError}`);
    },
    /** The text exposition format (version 0.0.4). */
    render() {
      const lines = [];
      lines.push('# HELP byok_proxy_requests_total Requests answered, by provider route and status.');
      lines.push('# TYPE byok_proxy_requests_total counter');
      for (const [key, count] of requests) {
        const [provider, status] = key.split('|');
        lines.push(`byok_proxy_requests_total{provider="${provider}",status="${status}"} ${count}`);
      }
      lines.push('# HELP byok_proxy_request_duration_seconds Time from request to the end of the answer.');
      lines.push('# TYPE byok_proxy_request_duration_seconds histogram');
      for (const [provider, histogram] of durations) {
        DURATION_BUCKETS.forEach((bound, i) => {
          lines.push(`byok_proxy_request_duration_seconds_bucket{provider="${provider}",le="${bound}"} ${histogram.counts[i]}`);
        });
        lines.push(`byok_proxy_request_duration_seconds_bucket{provider="${provider}",le="+Inf"} ${histogram.count}`);
        lines.push(`byok_proxy_request_duration_seconds_sum{provider="${provider}"} ${histogram.sum}`);
        lines.push(`byok_proxy_request_duration_seconds_count{provider="${provider}"} ${histogram.count}`);
      }
      lines.push('# HELP byok_proxy_rate_limited_total Requests refused by the rate limits, by reason.');
      lines.push('# TYPE byok_proxy_rate_limited_total counter');
      for (const [reason, count] of limited) lines.push(`byok_proxy_rate_limited_total{reason="${reason}"} ${count}`);
      lines.push('# HELP byok_proxy_upstream_errors_total Provider failures: timeouts, unreachable, redirects, cut answers.');
      lines.push('# TYPE byok_proxy_upstream_errors_total counter');
      for (const [key, count] of upstreamErrors) {
        const [provider, error] = key.split('|');
        lines.push(`byok_proxy_upstream_errors_total{provider="${provider}",error="${error}"} ${count}`);
      }
      lines.push('# HELP byok_proxy_in_flight Requests being handled now.');
      lines.push('# TYPE byok_proxy_in_flight gauge');
      lines.push(`byok_proxy_in_flight ${inFlight}`);
      return `${lines.join('\n')}\n`;
    },
  };
}

/** @typedef {ReturnType<typeof createMetrics>} Metrics */

/**
 * The metrics listener: GET /metrics, nothing else.
 * @param {Metrics} metrics
 * @param {{ host: string, port: number }} where
 * @returns {Promise<http.Server>}
 */
export async function serveMetrics(metrics, { host, port }) {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: GET /metrics\n');
      return;
    }
    const text = metrics.render();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  return server;
}
