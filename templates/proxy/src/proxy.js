// The proxy: what happens to one request, from routing to its log line.
//
//   /healthz                       200 while serving, 503 while shutting down
//   OPTIONS /<id>/...              CORS preflight, for origins in ALLOWED_ORIGINS only
//   POST /<id>/byok/validate       runs the provider's key check: {valid, provider, reason}
//   GET|POST /<id>/<path>          forwarded to <origin><path> when <path> is on the provider's allowlist
//   DELETE /<id>/<path>            the same, for the paths in the provider's `deletePaths` (a stored response, a file)
//
// The key is read from the provider's own auth header, used once to pick the rate-limit bucket (through its
// fingerprint), forwarded in that same header, and dropped with the request. It is never put in a URL, a log
// line or an error message.

import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { clientAddress } from './client-address.js';
import { errorBody, keyHeaderHint, providerError } from './errors.js';
import { keyFromHeaders } from './keys.js';
import { NEVER_FORWARDED } from './headers.js';
import { loggedHeaders } from './log.js';
import { DELETABLE_METHODS, FORWARDED_METHODS, refusal, routeTarget } from './paths.js';
import { StoreUnavailableError, rateLimitHeaders } from './rate-limit.js';
import { createRedactor } from './redact.js';
import { UpstreamTimeout, createUpstream } from './upstream.js';
import { keyCheckOutcome, validateKey } from './validate-key.js';

/** Headers that describe one connection (RFC 9110, 7.6.1): they never cross a proxy in either direction. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

/**
 * Response headers that are not passed back: hop-by-hop ones, cookies the provider sets for its own domain,
 * policies about the provider's host (they would apply to the proxy's), and the provider's CORS answer (the
 * proxy gives its own). Headers starting with `access-control-` are dropped too.
 */
const NOT_RETURNED = new Set([
  ...HOP_BY_HOP,
  'proxy-authenticate',
  'set-cookie',
  'alt-svc',
  'strict-transport-security',
]);

/** Encodings the proxy can decode, to redact an error body before passing it back. */
const READABLE_ENCODINGS = new Set(['gzip', 'deflate', 'br', 'identity']);

/** Error answers are small; past this size they are not read (or decompressed) any further. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

// Read by the SDKs in browsers: retry-after-ms and x-should-retry decide their retries; the request ids are what
// a user quotes when something went wrong.
const EXPOSED_HEADERS =
  'retry-after, retry-after-ms, x-should-retry, ratelimit, ratelimit-policy, request-id, x-request-id, x-upstream-request-id';

/** Redaction of the key alone, for the provider's headers and error bodies (no key shapes: they are not logs). */
const SECRET_ONLY = { shapes: false };

/**
 * An incoming X-Request-Id is kept when it has the form of one (a load balancer's, the app's): a UUID, or up to
 * 19 letters, digits and `._:@-`. Anything else is replaced by one the proxy makes: the id is logged, and a
 * longer value could be a key (keys.js accepts none shorter than 20 characters) that a client put there, which
 * redaction cannot know unless the same key is in the key header.
 */
const REQUEST_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[\w.:@-]{1,19})$/i;

/**
 * Request ids this process makes: a random prefix drawn at start-up (so that replicas never collide) and a
 * counter: they need to be unique, not secret.
 */
const REQUEST_ID_PREFIX = randomBytes(6).toString('hex');
let requestCount = 0;

/** The proxy's own codes for a provider that failed: the only upstream errors counted in the metrics. */
const UPSTREAM_FAILURES = new Set([
  'upstream_timeout',
  'upstream_unreachable',
  'upstream_redirect',
  'upstream_incomplete',
  'upstream_stalled',
  'upstream_error',
]);

/**
 * @param {{
 *   config: import('./config.js').Config,
 *   limiter: import('./rate-limit.js').Limiter,
 *   fingerprint: (key: string) => string,
 *   log: import('./log.js').Logger,
 *   metrics?: import('./metrics.js').Metrics,
 * }} options
 */
export function createProxy({ config, limiter, fingerprint, log, metrics }) {
  const routes = new Map(
    Object.values(config.providers).map((provider) => [
      provider.id,
      { provider, upstream: createUpstream(provider, { timeoutMs: config.upstreamTimeoutMs }) },
    ]),
  );
  const anyOrigin = config.allowedOrigins.includes('*');
  const allowedOrigins = new Set(config.allowedOrigins);
  const routeList = [...routes.keys()].map((id) => `/${id}/`).join(', ');
  // Shutting down, in three steps: not ready (health checks fail, requests are still served), draining (new
  // requests get 503), cutting (what is still in flight is closed, and logged as cut).
  let ready = true;
  let draining = false;
  let cutting = false;
  let inFlight = 0;
  /**
   * Connections on which Node answered 408 itself (the request body was too slow), for the log line of the
   * request it cut. Nothing is kept per request, nor added to Node's socket objects: a property added to some
   * sockets and not others slows Node's own property accesses on them (measured on the provider's sockets,
   * bench/PROXY.md).
   * @type {WeakSet<import('node:net').Socket>}
   */
  const timedOut = new WeakSet();
  /** @type {Array<() => void>} called when nothing is in flight any more */
  let idleWaiters = [];

  /**
   * @typedef {object} Exchange
   * @property {import('node:http').IncomingMessage} req
   * @property {import('node:http').ServerResponse} res
   * @property {number} started
   * @property {string} requestId     the client's X-Request-Id when well-formed, else a new one; returned and logged
   * @property {import('./config.js').ProviderConfig} [provider]
   * @property {string} [path]
   * @property {string} [key]          the user's key: lives as long as the request, never logged
   * @property {(text: string) => string} redact  removes the key, in any spelling, from a text
   * @property {string} [fingerprint]
   * @property {string} [code]         the proxy's reason for an answer it gave itself
   * @property {string} [upstreamError]  the provider's error type, or the network error's code
   * @property {string} [upstreamMessage]  the provider's error message (debug logs only, redacted)
   * @property {string} [upstreamRequestId]  the provider's own request id, when it gave one
   * @property {string} [limitedBy]     the rate-limit policy that refused the request (metrics)
   * @property {import('node:http').ClientRequest} [upstreamRequest]
   * @property {Record<string, string>} headers  the proxy's own response headers (CORS, rate limits), added to
   *   every answer
   */

  /** @type {import('node:http').RequestListener} */
  function handle(req, res) {
    /** @type {Exchange} */
    // Every field from the start, so that every exchange has the same shape.
    const exchange = {
      req,
      res,
      started: performance.now(),
      requestId: '',
      provider: undefined,
      path: undefined,
      key: undefined,
      redact: keepText,
      fingerprint: undefined,
      code: undefined,
      upstreamError: undefined,
      upstreamMessage: undefined,
      upstreamRequest: undefined,
      upstreamRequestId: undefined,
      limitedBy: undefined,
      headers: {},
    };
    const incomingId = req.headers['x-request-id'];
    exchange.requestId =
      typeof incomingId === 'string' && REQUEST_ID.test(incomingId)
        ? incomingId
        : `${REQUEST_ID_PREFIX}-${(requestCount += 1).toString(36)}`;
    exchange.headers['x-request-id'] = exchange.requestId;
    // Once shutting down, every answer asks the client to reconnect, which takes it to another replica.
    if (!ready) exchange.headers.connection = 'close';
    inFlight += 1;
    metrics?.started();
    res.on('close', () => {
      inFlight -= 1;
      finish(exchange);
      if (inFlight === 0 && idleWaiters.length > 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
      }
    });
    // No 'error' listener on req: Node emits a request's errors only to listeners, and a client that leaves
    // mid-body is handled by the response's 'close'.
    try {
      route(exchange)?.catch((error) => internalError(exchange, error));
    } catch (error) {
      internalError(exchange, error);
    }
  }

  /**
   * Decides what to do with a request, and does it. Returns a promise only when something is left to wait for
   * (a rate-limit store that answers later, a key check): most requests are routed and forwarded in the turn
   * of the event loop they arrived in.
   * @param {Exchange} exchange
   * @returns {Promise<void> | void}
   */
  function route(exchange) {
    const { req, res } = exchange;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
    exchange.path = path === '/healthz' ? path : '/**';

    if (path === '/healthz') return health(exchange);
    const slash = path.indexOf('/', 1);
    const id = path.slice(1, slash === -1 ? undefined : slash);
    const entry = path.startsWith('/') ? routes.get(id) : undefined;
    if (!entry) {
      // The path is the client's text, and no key header has been read to redact it by: a key pasted into it
      // (`/nosuch/<key>`) would reach the log. It stays logged as `/**`: only the fact that the route is unknown.
      return fail(exchange, 404, 'not_found', `Not found. This proxy serves ${routeList} and /healthz.`);
    }
    const { provider, upstream } = entry;
    const rest = slash === -1 ? '' : path.slice(slash);
    const method = req.method ?? '';
    const target = routeTarget(provider, rest, method);
    exchange.provider = provider;
    exchange.path = target.logged;

    if (!corsAllows(exchange)) {
      return fail(exchange, 403, 'origin_not_allowed', 'This origin may not call the proxy (see ALLOWED_ORIGINS).');
    }
    if (method === 'OPTIONS') return preflight(exchange, target.deletable);
    if (draining) {
      exchange.headers.connection = 'close';
      const message = 'The proxy is restarting; retry in a moment.';
      return fail(exchange, 503, 'shutting_down', message, { 'retry-after': '1' });
    }

    // A value that cannot be a key is refused before it is used for anything (see keys.js).
    const credential = keyFromHeaders(provider, req.headers, req.rawHeaders);
    if (credential && 'implausible' in credential) {
      const message = `Send your ${provider.label} API key in the ${keyHeaderHint(provider)} header: ${credential.implausible}.`;
      return fail(exchange, 401, 'implausible_key', message);
    }
    if (credential) {
      // From here on, every log line of this request is redacted of this key, in any spelling: a refused path
      // with the key pasted into it included.
      exchange.key = credential.key;
      exchange.redact = createRedactor(credential.key, SECRET_ONLY);
    }

    const refused = refusal(provider, target, method, rest, query, exchange.redact);
    if (refused) return fail(exchange, refused.status, refused.code, refused.message, refused.headers);

    if (credential) exchange.fingerprint = fingerprint(credential.key);
    const address = clientAddress(req, config.trustedHops);
    /** @param {import('./rate-limit.js').Decision} decision */
    const admitted = (decision) => {
      if (res.destroyed) return; // the client left while the limiter decided
      const limitHeaders = rateLimitHeaders(decision);
      for (const name in limitHeaders) exchange.headers[name] = limitHeaders[name];
      if (!decision.allowed) {
        exchange.limitedBy = decision.policy.name;
        const whose = decision.policy.name === 'key' ? 'with this key' : 'from this address';
        const message = `Too many requests ${whose}; retry in ${decision.retryAfterSeconds} s.`;
        return fail(exchange, 429, 'rate_limited', message);
      }
      if (!credential) {
        const message = `Send your ${provider.label} API key in the ${keyHeaderHint(provider)} header.`;
        return fail(exchange, 401, 'missing_key', message);
      }
      if (target.validating) return validate(exchange, upstream, credential);
      if (Number(req.headers['content-length'] ?? 0) > config.maxBodyBytes) return tooLarge(exchange);
      return forward(exchange, upstream, query === '' ? rest : `${rest}?${query}`, credential);
    };
    // The memory store decides at once, and the request goes on in this same turn; Redis answers later.
    let decision;
    try {
      decision = limiter.admit({ fingerprint: exchange.fingerprint, address });
    } catch (error) {
      return limiterFailed(exchange, error);
    }
    if (decision instanceof Promise) return decision.then(admitted, (error) => limiterFailed(exchange, error));
    return admitted(decision);
  }

  /**
   * The limiter could not decide: 503 when its store is out of reach, anything else is a bug.
   * @param {Exchange} exchange
   * @param {unknown} error
   */
  function limiterFailed(exchange, error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    exchange.limitedBy = 'store_unavailable';
    const message = 'Rate limits cannot be checked right now; retry in a moment.';
    fail(exchange, 503, 'rate_limit_unavailable', message, { 'retry-after': '5' });
  }

  /**
   * Streams the request to the provider and the answer back, without buffering either (except error
   * answers, which are small and are read to redact them).
   * @param {Exchange} exchange
   * @param {import('./upstream.js').Upstream} upstream
   * @param {string} target
   * @param {{ header: string, value: string }} credential
   */
  function forward(exchange, upstream, target, credential) {
    const { req, res } = exchange;
    const provider = /** @type {import('./config.js').ProviderConfig} */ (exchange.provider);
    let upstreamRequest;
    try {
      const headers = forwardedHeaders(req.headers, provider, credential, upstream.host);
      // It fails with UpstreamTimeout once nothing has moved for UPSTREAM_TIMEOUT_MS (upstream.js): a stream
      // that keeps sending is never cut, however long it lasts.
      upstreamRequest = upstream.request(target, { method: req.method ?? 'GET', headers });
    } catch {
      // Node refuses some header values it would accept on the way in; nothing was sent.
      return fail(exchange, 400, 'bad_request', 'The request has a header that cannot be forwarded.');
    }
    exchange.upstreamRequest = upstreamRequest;
    upstreamRequest.on('error', (error) => upstreamFailed(exchange, error));
    upstreamRequest.on('response', (response) => {
      const status = response.statusCode ?? 502;
      if (status >= 300 && status < 400) return refuseRedirect(exchange, response);
      if (status >= 400) return relayError(exchange, response);
      if (status < 300 && exchange.fingerprint) limiter.trustKey(exchange.fingerprint);
      const headers = returnedHeaders(response.rawHeaders, exchange.headers, exchange.redact);
      exchange.upstreamRequestId = headers.upstreamRequestId;
      res.writeHead(status, headers.list);
      // Server-sent events: tell the client at once that the stream has started.
      if (headers.eventStream) res.flushHeaders();
      // A broken upstream answer cuts the client's; a client that leaves destroys the upstream request (finish).
      response.on('error', (error) => upstreamFailed(exchange, error));
      relay(response, res);
    });

    // A declared Content-Length over the limit was refused before; Node never reads past a declared length.
    // A body sent in chunks declares nothing, and is counted as it comes.
    const limit = req.headers['content-length'] === undefined ? config.maxBodyBytes : Infinity;
    relay(req, upstreamRequest, limit, () => {
      upstreamRequest.destroy();
      tooLarge(exchange);
    });
  }

  /**
   * An error answer from the provider: read (it is small), decoded, cleaned of the key (some providers echo
   * it), and passed back with the provider's status.
   * @param {Exchange} exchange
   * @param {import('node:http').IncomingMessage} response
   */
  function relayError(exchange, response) {
    const { res } = exchange;
    const provider = /** @type {import('./config.js').ProviderConfig} */ (exchange.provider);
    const status = response.statusCode ?? 502;
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    response.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size <= MAX_ERROR_BODY_BYTES) chunks.push(chunk);
    });
    response.on('error', (error) => upstreamFailed(exchange, error));
    response.on('end', () => {
      const encoding = response.headers['content-encoding'];
      const text = size <= MAX_ERROR_BODY_BYTES ? decode(Buffer.concat(chunks), encoding) : undefined;
      const body = text === undefined ? undefined : exchange.redact(text);
      const outcome = keyCheckOutcome(provider, status, body ?? '');
      if (exchange.fingerprint && (outcome === 'invalid' || outcome === 'forbidden')) {
        limiter.distrustKey(exchange.fingerprint);
      }
      if (body === undefined) {
        exchange.upstreamError = 'unreadable_error_body';
        const message = `${provider.label} answered ${status} with a body the proxy cannot read.`;
        return fail(exchange, 502, 'upstream_error', message);
      }
      const described = providerError(body);
      exchange.upstreamError = described.type;
      exchange.upstreamMessage = described.message;
      if (!res.headersSent && !res.destroyed) {
        const length = String(Buffer.byteLength(body));
        const own = { ...exchange.headers, 'content-encoding': undefined, 'content-length': length };
        const returned = returnedHeaders(response.rawHeaders, own, exchange.redact);
        exchange.upstreamRequestId = returned.upstreamRequestId;
        res.writeHead(status, returned.list);
        res.end(body);
      }
    });
  }

  /**
   * A redirect from the provider is never followed nor passed on. Passed on, the client's SDK would follow it
   * and send the key to wherever `Location` points: fetch drops only `Authorization` across origins, and the
   * Anthropic and Gemini SDKs send the key in `x-api-key` and `x-goog-api-key`.
   * @param {Exchange} exchange
   * @param {import('node:http').IncomingMessage} response
   */
  function refuseRedirect(exchange, response) {
    response.resume();
    exchange.upstreamError = `redirect_${response.statusCode}`;
    const label = exchange.provider?.label ?? 'The provider';
    const message = `${label} answered with a redirect, which the proxy does not pass on (it would take the key elsewhere).`;
    fail(exchange, 502, 'upstream_redirect', message);
  }

  /**
   * @param {Exchange} exchange
   * @param {import('./upstream.js').Upstream} upstream
   * @param {{ header: string, value: string }} credential
   */
  async function validate(exchange, upstream, credential) {
    const { res } = exchange;
    const provider = /** @type {import('./config.js').ProviderConfig} */ (exchange.provider);
    const fingerprint = /** @type {string} */ (exchange.fingerprint);
    const stop = new AbortController();
    res.on('close', () => stop.abort()); // the client left: so does the check
    const outcome = await validateKey(provider, upstream, credential, { signal: stop.signal });
    if (outcome === 'valid') limiter.trustKey(fingerprint);
    if (outcome === 'invalid' || outcome === 'forbidden') limiter.distrustKey(fingerprint);
    if (outcome !== 'valid') exchange.code = `key_${outcome.replace('-', '_')}`;
    const answer = { valid: outcome === 'valid', provider: provider.id, reason: outcome };
    sendJson(res, outcome === 'unreachable' ? 502 : 200, answer, exchange.headers);
  }

  /** @param {Exchange} exchange */
  function health(exchange) {
    const { req, res } = exchange;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return fail(exchange, 405, 'method_not_allowed', 'Use GET.', { allow: 'GET, HEAD' });
    }
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'shutting-down' });
  }

  /**
   * No Origin header: not a cross-origin browser request (a server-side SDK, curl), nothing to decide.
   * Otherwise the origin must be allowed, and the answer names it.
   * @param {Exchange} exchange
   */
  function corsAllows({ req, headers }) {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    headers.vary = 'origin';
    if (!anyOrigin && !allowedOrigins.has(origin)) return false;
    headers['access-control-allow-origin'] = origin;
    headers['access-control-expose-headers'] = EXPOSED_HEADERS;
    return true;
  }

  /**
   * @param {Exchange} exchange
   * @param {boolean} deletable  DELETE is forwarded on this path
   */
  function preflight({ req, res, headers }, deletable) {
    const requested = String(req.headers['access-control-request-headers'] ?? '');
    res.writeHead(204, {
      ...headers,
      'access-control-allow-methods': (deletable ? DELETABLE_METHODS : FORWARDED_METHODS).join(', '),
      // The origin is trusted; the SDKs send many headers of their own (x-stainless-*, anthropic-*).
      ...(/^[\w\-, ]*$/.test(requested) && requested !== '' ? { 'access-control-allow-headers': requested } : {}),
      'access-control-max-age': '600',
      'content-length': '0',
    });
    res.end();
  }

  /** @param {Exchange} exchange */
  function tooLarge(exchange) {
    // Node reads the rest of the body and discards it (for REQUEST_TIMEOUT_MS at most): closing the connection
    // while the client is still sending would reset it, and the client would never see this answer.
    fail(exchange, 413, 'body_too_large', `The request body is larger than ${config.maxBodyBytes} bytes.`);
  }

  /**
   * @param {Exchange} exchange
   * @param {Error} error
   */
  function upstreamFailed(exchange, error) {
    const { res } = exchange;
    if (!exchange.upstreamError) exchange.upstreamError = /** @type {any} */ (error).code ?? error.name;
    // Mid-answer: cut the connection, so the client sees an incomplete answer rather than a complete one.
    if (res.headersSent) {
      exchange.code = error instanceof UpstreamTimeout ? 'upstream_stalled' : 'upstream_incomplete';
      return res.destroy();
    }
    const label = exchange.provider?.label ?? 'The provider';
    if (error instanceof UpstreamTimeout) {
      const message = `${label} did not answer within ${config.upstreamTimeoutMs / 1000} s.`;
      return fail(exchange, 504, 'upstream_timeout', message);
    }
    fail(exchange, 502, 'upstream_unreachable', `${label} could not be reached.`);
  }

  /**
   * @param {Exchange} exchange
   * @param {unknown} error
   */
  function internalError(exchange, error) {
    log.error('internal error', { error, stack: /** @type {Error} */ (error)?.stack }, [exchange.key]);
    if (exchange.res.headersSent) return exchange.res.destroy();
    fail(exchange, 500, 'internal_error', 'The proxy failed to handle this request.');
  }

  /**
   * An answer the proxy gives itself, in the provider's error shape.
   * @param {Exchange} exchange
   * @param {number} status
   * @param {string} code
   * @param {string} message  never contains the key
   * @param {Record<string, string>} [headers]
   */
  function fail(exchange, status, code, message, headers = {}) {
    const { res } = exchange;
    if (res.headersSent || res.destroyed) return;
    exchange.code = code;
    const body = errorBody({ family: exchange.provider?.family, status, code, message });
    sendJson(res, status, body, { ...exchange.headers, ...headers });
  }

  /**
   * The request's log line, when its connection is done with it. Also where an upstream request is aborted
   * when the client went away first: the provider stops generating (and charging for) an answer nobody reads.
   * @param {Exchange} exchange
   */
  function finish(exchange) {
    const { req, res } = exchange;
    const completed = res.writableFinished;
    if (!completed && exchange.upstreamRequest && !exchange.upstreamRequest.destroyed) {
      exchange.upstreamRequest.destroy();
    }
    // Node's own 408 is not on the response object.
    const timedOutByNode = !completed && timedOut.has(req.socket);
    if (timedOutByNode) exchange.code = 'request_timeout';
    if (!completed && cutting && !exchange.code) exchange.code = 'cut_by_shutdown';
    // 499 (as nginx logs it): the client closed the connection before the answer was complete. A cut answer
    // keeps the status the client saw.
    const cut = exchange.code === 'upstream_incomplete' || exchange.code === 'upstream_stalled';
    const status = timedOutByNode
      ? 408
      : completed || cut
        ? res.statusCode
        : cutting && !res.headersSent
          ? 503
          : 499;
    const durationMs = performance.now() - exchange.started;
    const debug = log.enabled('debug');
    // A request cut by the shutdown is a warning (SHUTDOWN_TIMEOUT_MS decided it); a provider's failure, even
    // after a 200 went out, is an error.
    const level = exchange.code === 'cut_by_shutdown' ? 'warn' : status >= 500 || cut ? 'error' : 'info';
    log.request(
      level,
      {
        method: /** @type {string} */ (req.method),
        provider: exchange.provider?.id,
        path: exchange.path,
        status,
        durationMs,
        requestId: exchange.requestId,
        keyFingerprint: exchange.fingerprint?.slice(0, 8),
        error: exchange.code ?? (completed ? undefined : 'client_closed'),
        upstreamError: exchange.upstreamError,
        upstreamRequestId: exchange.upstreamRequestId,
        upstreamMessage: debug ? exchange.upstreamMessage?.slice(0, 300) : undefined,
        headers: debug ? loggedHeaders(req.headers) : undefined,
      },
      exchange.key,
    );
    metrics?.finished({
      provider: exchange.provider?.id ?? 'none',
      status,
      seconds: durationMs / 1000,
      limitedBy: exchange.limitedBy,
      upstreamError: exchange.code && UPSTREAM_FAILURES.has(exchange.code) ? exchange.code : undefined,
    });
  }

  return {
    handle,
    /** Health checks fail from now on (load balancers stop sending traffic); requests are still served. */
    unready() {
      ready = false;
    },
    /** Stop taking new requests (they get 503 and `connection: close`); those in flight go on. */
    drain() {
      ready = false;
      draining = true;
    },
    /** What is still in flight is about to be closed: each is logged as cut by the shutdown. */
    cut() {
      cutting = true;
    },
    /**
     * Node answered 408 on this connection (the request body was too slow): the request on it, if any, is
     * logged with that status rather than as a client that left.
     * @param {import('node:net').Socket} socket
     */
    requestTimedOut(socket) {
      timedOut.add(socket);
    },
    get inFlight() {
      return inFlight;
    },
    /** Resolves once no request is in flight (each has been logged). */
    idle() {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(() => resolve(undefined)));
    },
    close() {
      for (const { upstream } of routes.values()) upstream.close();
    },
  };
}

/**
 * The headers sent to the provider, as a flat [name, value, ...] list (which Node writes as it is, checking
 * each name and value, rather than copying it into an object first): those on the provider's allowlist
 * (`forwardedHeaders`), the key's, and the provider's required ones the client left out. The Host header comes
 * first: with a list, Node does not add it.
 * @param {import('node:http').IncomingHttpHeaders} incoming
 * @param {import('./config.js').ProviderConfig} provider
 * @param {{ header: string, value: string }} credential
 * @param {string} host
 */
function forwardedHeaders(incoming, provider, credential, host) {
  /** @type {Array<string | string[]>} */
  const headers = ['host', host];
  // A header the client names in Connection is meant for the next hop only (RFC 9110, 7.6.1).
  const listed = incoming.connection ? incoming.connection.toLowerCase().split(',').map((name) => name.trim()) : [];
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || !provider.forwards(name) || NEVER_FORWARDED.has(name) || listed.includes(name)) continue;
    headers.push(name, name === 'accept-encoding' ? readableEncodings(/** @type {string} */ (value)) : value);
  }
  headers.push(credential.header, credential.value);
  for (const name in provider.headers) {
    if (incoming[name] === undefined || listed.includes(name)) headers.push(name, provider.headers[name]);
  }
  return headers;
}

/**
 * Copies a body from one stream to the other as it comes, pausing while the other is full: what `pipe` does,
 * with less bookkeeping (pipe's listeners cost about 10% of a request's CPU in this proxy, bench/PROXY.md).
 * Past `limit` bytes the copy stops, the rest is read and dropped, and `tooLong` is called.
 * @param {import('node:stream').Readable} from
 * @param {import('node:stream').Writable} to
 * @param {number} [limit]
 * @param {() => void} [tooLong]
 */
function relay(from, to, limit = Infinity, tooLong = undefined) {
  let copied = 0;
  let ended = false;
  const onData = (/** @type {Buffer} */ chunk) => {
    copied += chunk.length;
    if (copied > limit) {
      stop();
      return tooLong?.();
    }
    if (!to.write(chunk)) from.pause();
  };
  const onDrain = () => from.resume();
  const onEnd = () => {
    ended = true;
    to.end();
  };
  // The other side is gone (an upstream failure, a client that left): whatever is still coming is dropped.
  // Once the whole body was copied there is nothing left to drop, and the listeners go with the streams.
  const stop = () => {
    if (ended) return;
    ended = true;
    from.off('data', onData).off('end', onEnd);
    to.off('drain', onDrain).off('close', stop);
    from.resume();
  };
  from.on('data', onData).on('end', onEnd);
  to.on('drain', onDrain).on('close', stop);
}

/** @param {string} text */
function keepText(text) {
  return text;
}

/**
 * The encodings of an Accept-Encoding the proxy can decode (error answers are decoded to be redacted).
 * @param {string} accepted
 */
function readableEncodings(accepted) {
  const readable = accepted
    .split(',')
    .map((item) => item.trim())
    .filter((item) => READABLE_ENCODINGS.has(item.split(';')[0].trim().toLowerCase()));
  return readable.length > 0 ? readable.join(', ') : 'identity';
}

/**
 * The headers passed back to the client: the provider's, less those in NOT_RETURNED and its CORS answer, then
 * the proxy's own, which replace the provider's of the same name (an undefined one removes it). Read from
 * Node's raw list and written as one, so no object is built for them.
 * Every value is scrubbed of the key: a provider (or a hostile upstream) may echo it in any header, such as
 * `www-authenticate` or one of its own.
 * @param {string[]} raw  the provider's headers as received: [name, value, ...]
 * @param {Record<string, string | undefined>} own
 * @param {(text: string) => string} redact
 */
function returnedHeaders(raw, own, redact) {
  /** @type {string[]} */
  const list = [];
  let eventStream = false;
  /** @type {string | undefined} the provider's own id for the request (OpenAI's x-request-id, Anthropic's request-id) */
  let upstreamRequestId;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (NOT_RETURNED.has(name) || name.startsWith('access-control-')) continue;
    if (name === 'x-request-id' || name === 'request-id') upstreamRequestId ??= redact(raw[i + 1]).slice(0, 128);
    if (Object.hasOwn(own, name)) {
      // The proxy's request id takes the name; the provider's stays available under another.
      if (name === 'x-request-id') list.push('x-upstream-request-id', redact(raw[i + 1]));
      continue;
    }
    if (name === 'content-type') eventStream = raw[i + 1].startsWith('text/event-stream');
    list.push(name, redact(raw[i + 1]));
  }
  for (const name in own) {
    const value = own[name];
    if (value !== undefined) list.push(name, value);
  }
  return { list, eventStream, upstreamRequestId };
}

/**
 * An error body as text, or undefined when it cannot be read (unknown encoding, too large once decoded).
 * @param {Buffer} body
 * @param {string | undefined} encoding
 */
function decode(body, encoding = 'identity') {
  const options = { maxOutputLength: 4 * MAX_ERROR_BODY_BYTES };
  try {
    switch (encoding.trim().toLowerCase()) {
      case 'identity':
      case '':
        return body.toString('utf8');
      case 'gzip':
        return zlib.gunzipSync(body, options).toString('utf8');
      case 'deflate':
        return zlib.inflateSync(body, options).toString('utf8');
      case 'br':
        return zlib.brotliDecompressSync(body, options).toString('utf8');
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
