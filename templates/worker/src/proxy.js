// The proxy: what happens to one request, from routing to its log line.
//
//   /healthz                       200
//   OPTIONS /<id>/...              CORS preflight, for origins in ALLOWED_ORIGINS only
//   POST /<id>/byok/validate       runs the provider's key check: {valid, provider, reason}
//   GET|POST /<id>/<path>          forwarded to <origin><path> when <path> is on the provider's allowlist
//   DELETE /<id>/<path>            the same, for the paths in the provider's `deletePaths` (a stored response, a file)
//
// The key is read from the provider's own auth header, used once to pick the rate-limit bucket (through its
// fingerprint), forwarded in that same header, and dropped with the request. It is never put in a URL, a log
// line or an error message.

import { clientAddress } from './client-address.js';
import { errorBody, keyHeaderHint, providerError } from './errors.js';
import { NEVER_FORWARDED } from './headers.js';
import { keyFromHeaders } from './keys.js';
import { loggedHeaders } from './log.js';
import { DELETABLE_METHODS, FORWARDED_METHODS, refusal, routeTarget } from './paths.js';
import { StoreUnavailableError, rateLimitHeaders } from './rate-limit.js';
import { createRedactor } from './redact.js';
import { keyCheckOutcome, validateKey } from './validate-key.js';

/**
 * Response headers that are not passed back: hop-by-hop ones, cookies the provider sets for its own domain,
 * policies about the provider's host (they would apply to the Worker's), and the provider's CORS answer (the
 * Worker gives its own). Headers starting with `access-control-` are dropped too.
 */
const NOT_RETURNED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'set-cookie',
  'alt-svc',
  'strict-transport-security',
  'content-length',
]);

/** Error answers are small; past this size they are not read any further. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

// Read by the SDKs in browsers: retry-after-ms and x-should-retry decide their retries; the request ids are what
// a user quotes when reporting a problem.
const EXPOSED_HEADERS =
  'retry-after, retry-after-ms, x-should-retry, ratelimit, ratelimit-policy, request-id, x-request-id, x-upstream-request-id';

/**
 * An incoming X-Request-Id is kept when it has the form of one (a load balancer's, the app's): a UUID, or up to
 * 19 letters, digits and `._:@-`. Anything else is replaced by one the proxy makes: the id is logged, and a
 * longer value could be a key (keys.js accepts none shorter than 20 characters) that a client put there, which
 * redaction cannot know unless the same key is in the key header.
 */
const REQUEST_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[\w.:@-]{1,19})$/i;

class UpstreamTimeout extends Error {
  name = 'UpstreamTimeout';
}
class BodyTooLarge extends Error {
  name = 'BodyTooLarge';
}

/**
 * @param {{
 *   config: import('./config.js').Config,
 *   limiter: import('./rate-limit.js').Limiter,
 *   fingerprint: (key: string) => Promise<string>,
 *   log: import('./log.js').Logger,
 * }} options
 */
export function createProxy({ config, limiter, fingerprint, log }) {
  const providers = new Map(Object.values(config.providers).map((provider) => [provider.id, provider]));
  const anyOrigin = config.allowedOrigins.includes('*');
  const allowedOrigins = new Set(config.allowedOrigins);
  const routeList = [...providers.keys()].map((id) => `/${id}/`).join(', ');
  /** Answers whose log line is written when their body has been passed on (see passThrough). */
  const streaming = new WeakSet();

  /**
   * @typedef {object} Exchange
   * @property {Request} request
   * @property {number} started
   * @property {string} requestId     the client's X-Request-Id when well-formed, else a new UUID; returned and logged
   * @property {string} [upstreamRequestId]  the provider's own request id, when it gave one
   * @property {import('./config.js').ProviderConfig} [provider]
   * @property {string} [path]
   * @property {string} [key]          the user's key: lives as long as the request, never logged
   * @property {(text: string) => string} redact  removes the key, in any spelling, from a text
   * @property {string} [fingerprint]
   * @property {string} [code]         the Worker's reason for an answer it gave itself
   * @property {string} [upstreamError]  the provider's error type, or what went wrong on the way
   * @property {string} [upstreamMessage]  the provider's error message (debug logs only, redacted)
   * @property {Record<string, string>} headers  the Worker's own response headers (CORS, rate limits), added to
   *   every answer
   */

  /**
   * @param {Request} request
   * @returns {Promise<Response>}
   */
  async function handle(request) {
    /** @type {Exchange} */
    const exchange = {
      request,
      started: Date.now(),
      requestId: '',
      upstreamRequestId: undefined,
      provider: undefined,
      path: undefined,
      key: undefined,
      redact: keepText,
      fingerprint: undefined,
      code: undefined,
      upstreamError: undefined,
      upstreamMessage: undefined,
      headers: {},
    };
    let response;
    try {
      response = await route(exchange);
    } catch (error) {
      log.error('internal error', { error, stack: /** @type {Error} */ (error)?.stack }, [exchange.key]);
      response = fail(exchange, 500, 'internal_error', 'The proxy failed to handle this request.');
    }
    // A streamed answer is logged when its stream ends (see passThrough); every other one now.
    if (!streaming.has(response)) finish(exchange, response.status);
    return response;
  }

  /**
   * @param {Exchange} exchange
   * @returns {Promise<Response>}
   */
  async function route(exchange) {
    const { request } = exchange;
    const { path, query } = splitTarget(request.url);
    exchange.path = path === '/healthz' ? path : '/**';
    const incomingId = request.headers.get('x-request-id');
    exchange.requestId = incomingId !== null && REQUEST_ID.test(incomingId) ? incomingId : crypto.randomUUID();
    exchange.headers['x-request-id'] = exchange.requestId;

    if (path === '/healthz') return health(exchange);
    const slash = path.indexOf('/', 1);
    const id = path.slice(1, slash === -1 ? undefined : slash);
    const provider = path.startsWith('/') ? providers.get(id) : undefined;
    if (!provider) {
      // The path is the client's text, and no key header has been read to redact it by: a key pasted into it
      // (`/nosuch/<key>`) would reach the log. It stays logged as `/**`: only the fact that the route is unknown.
      return fail(exchange, 404, 'not_found', `Not found. This proxy serves ${routeList} and /healthz.`);
    }
    const rest = slash === -1 ? '' : path.slice(slash);
    const target = routeTarget(provider, rest, request.method);
    exchange.provider = provider;
    exchange.path = target.logged;

    if (!corsAllows(exchange)) {
      return fail(exchange, 403, 'origin_not_allowed', 'This origin may not call the proxy (see ALLOWED_ORIGINS).');
    }
    if (request.method === 'OPTIONS') return preflight(exchange, target.deletable);

    // A value that cannot be a key is refused before it is used for anything (see keys.js).
    const credential = keyFromHeaders(provider, request.headers);
    if (credential && 'implausible' in credential) {
      const message = `Send your ${provider.label} API key in the ${keyHeaderHint(provider)} header: ${credential.implausible}.`;
      return fail(exchange, 401, 'implausible_key', message);
    }
    if (credential) {
      // From here on, every log line of this request is redacted of this key, in any spelling: a refused path
      // with the key pasted into it included.
      exchange.key = credential.key;
      exchange.redact = createRedactor(credential.key, { shapes: false });
    }

    const refused = refusal(provider, target, request.method, rest, query, exchange.redact);
    if (refused) return fail(exchange, refused.status, refused.code, refused.message, refused.headers);

    if (credential) exchange.fingerprint = await fingerprint(credential.key);
    let decision;
    try {
      decision = await limiter.admit({ fingerprint: exchange.fingerprint, address: clientAddress(request) });
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      exchange.upstreamError = error.code;
      const message = 'Rate limits cannot be checked right now; retry in a moment.';
      return fail(exchange, 503, 'rate_limit_unavailable', message, { 'retry-after': '5' });
    }
    Object.assign(exchange.headers, rateLimitHeaders(decision));
    if (!decision.allowed) {
      const whose = decision.policy.name === 'key' ? 'with this key' : 'from this address';
      const message = `Too many requests ${whose}; retry in ${decision.retryAfterSeconds} s.`;
      return fail(exchange, 429, 'rate_limited', message);
    }
    if (!credential) {
      const message = `Send your ${provider.label} API key in the ${keyHeaderHint(provider)} header.`;
      return fail(exchange, 401, 'missing_key', message);
    }

    if (target.validating) return validate(exchange, credential);
    if (Number(request.headers.get('content-length') ?? 0) > config.maxBodyBytes) return tooLarge(exchange);
    return forward(exchange, query === '' ? rest : `${rest}?${query}`, credential);
  }

  /**
   * Streams the request to the provider and the answer back, without buffering either (except error
   * answers, which are small and are read to redact them).
   * @param {Exchange} exchange
   * @param {string} target  path and query, already checked
   * @param {{ header: string, value: string }} credential
   * @returns {Promise<Response>}
   */
  async function forward(exchange, target, credential) {
    const { request } = exchange;
    const provider = /** @type {import('./config.js').ProviderConfig} */ (exchange.provider);
    const headers = forwardedHeaders(request.headers, provider, credential);
    // A declared Content-Length over the limit was refused before, and the runtime never reads past a declared
    // length. A body sent in chunks declares nothing, and is counted as it comes.
    let body = request.method === 'POST' ? request.body : null;
    if (body && request.headers.get('content-length') === null) body = body.pipeThrough(byteLimit(config.maxBodyBytes));

    // Until the answer's headers arrive, the whole wait counts; after that, the time between two chunks (so a
    // stream that keeps sending is never cut, however long it lasts).
    const abort = new AbortController();
    const timer = idleTimer(config.upstreamTimeoutMs, () => abort.abort(new UpstreamTimeout()));
    let response;
    try {
      response = await fetch(provider.origin + target, {
        method: request.method,
        headers,
        body,
        // A redirect from the provider is never followed nor passed on. Followed, it would carry the key to
        // wherever it points; passed on, the client's SDK would follow it with the key (fetch drops only
        // Authorization across origins, and the Anthropic and Gemini SDKs send the key in x-api-key and
        // x-goog-api-key).
        redirect: 'manual',
        signal: abort.signal,
      });
    } catch (error) {
      timer.stop();
      if (error instanceof BodyTooLarge || /** @type {any} */ (error)?.cause instanceof BodyTooLarge) {
        return tooLarge(exchange);
      }
      return upstreamFailed(exchange, abort.signal.reason ?? error);
    }
    if (response.status >= 300 && response.status < 400) {
      timer.stop();
      await response.body?.cancel();
      exchange.upstreamError = `redirect_${response.status}`;
      const message = `${provider.label} answered with a redirect, which the proxy does not pass on (it would take the key elsewhere).`;
      return fail(exchange, 502, 'upstream_redirect', message);
    }
    if (response.status >= 400) {
      timer.stop();
      return relayError(exchange, response);
    }
    exchange.upstreamRequestId = upstreamRequestId(response.headers);
    if (exchange.fingerprint) limiter.trustKey(exchange.fingerprint);
    const answer = new Response(passThrough(exchange, response, timer, abort), {
      status: response.status,
      headers: returnedHeaders(response.headers, exchange.headers, exchange.redact),
    });
    streaming.add(answer);
    return answer;
  }

  /**
   * The provider's answer body, chunk by chunk as it arrives: each chunk restarts the idle timer, and the log
   * line is written once the body has gone (or the client has left, which aborts the upstream request: the
   * provider stops generating, and charging for, an answer nobody reads).
   * @param {Exchange} exchange
   * @param {Response} response
   * @param {ReturnType<typeof idleTimer>} timer
   * @param {AbortController} abort
   */
  function passThrough(exchange, response, timer, abort) {
    if (!response.body) {
      timer.stop();
      finish(exchange, response.status);
      return null;
    }
    const reader = response.body.getReader();
    return new ReadableStream({
      async pull(controller) {
        let chunk;
        try {
          chunk = await reader.read();
        } catch (error) {
          // Mid-answer: the client's stream is cut, so it sees an incomplete answer rather than a complete one.
          timer.stop();
          const stalled = abort.signal.reason instanceof UpstreamTimeout;
          exchange.code = stalled ? 'upstream_stalled' : 'upstream_incomplete';
          exchange.upstreamError = errorName(abort.signal.reason ?? error);
          finish(exchange, response.status, stalled);
          controller.error(new Error('The provider’s answer was cut short.'));
          return;
        }
        if (chunk.done) {
          timer.stop();
          finish(exchange, response.status);
          controller.close();
          return;
        }
        timer.restart();
        controller.enqueue(chunk.value);
      },
      cancel() {
        timer.stop();
        abort.abort();
        exchange.code ??= 'client_closed';
        // 499 (as nginx logs it): the client closed the connection before the answer was complete.
        finish(exchange, 499);
        return reader.cancel().catch(() => {});
      },
    });
  }

  /**
   * An error answer from the provider: read (it is small), cleaned of the key (some providers echo it), and
   * passed back with the provider's status.
   * @param {Exchange} exchange
   * @param {Response} response
   */
  async function relayError(exchange, response) {
    const provider = /** @type {import('./config.js').ProviderConfig} */ (exchange.provider);
    const status = response.status;
    let text;
    try {
      text = await readText(response, MAX_ERROR_BODY_BYTES);
    } catch (error) {
      return upstreamFailed(exchange, error);
    }
    const body = text === undefined ? undefined : exchange.redact(text);
    const outcome = keyCheckOutcome(provider, status, body ?? '');
    if (exchange.fingerprint && (outcome === 'invalid' || outcome === 'forbidden')) {
      limiter.distrustKey(exchange.fingerprint);
    }
    if (body === undefined) {
      exchange.upstreamError = 'unreadable_error_body';
      return fail(exchange, 502, 'upstream_error', `${provider.label} answered ${status} with a body the proxy cannot read.`);
    }
    exchange.upstreamRequestId = upstreamRequestId(response.headers);
    const described = providerError(body);
    exchange.upstreamError = described.type;
    exchange.upstreamMessage = described.message;
    const headers = returnedHeaders(response.headers, exchange.headers, exchange.redact);
    // The body was decoded to be read: it goes back as plain text.
    headers.delete('content-encoding');
    return new Response(body, { status, headers });
  }

  /**
   * @param {Exchange} exchange
   * @param {{ header: string, value: string }} credential
   */
  async function validate(exchange, credential) {
    const provider = /** @type {import('./config.js').ProviderConfig} */ (exchange.provider);
    const fingerprint = /** @type {string} */ (exchange.fingerprint);
    const outcome = await validateKey(provider, credential, {
      timeoutMs: config.upstreamTimeoutMs,
      signal: exchange.request.signal,
    });
    if (outcome === 'valid') limiter.trustKey(fingerprint);
    if (outcome === 'invalid' || outcome === 'forbidden') limiter.distrustKey(fingerprint);
    if (outcome !== 'valid') exchange.code = `key_${outcome.replace('-', '_')}`;
    const answer = { valid: outcome === 'valid', provider: provider.id, reason: outcome };
    return json(outcome === 'unreachable' ? 502 : 200, answer, exchange.headers);
  }

  /** @param {Exchange} exchange */
  function health(exchange) {
    const { method } = exchange.request;
    if (method !== 'GET' && method !== 'HEAD') {
      return fail(exchange, 405, 'method_not_allowed', 'Use GET.', { allow: 'GET, HEAD' });
    }
    return json(200, { status: 'ok' });
  }

  /**
   * No Origin header: not a cross-origin browser request (a server-side SDK, curl), nothing to decide.
   * Otherwise the origin must be allowed, and the answer names it.
   * @param {Exchange} exchange
   */
  function corsAllows({ request, headers }) {
    const origin = request.headers.get('origin');
    if (origin === null) return true;
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
  function preflight({ request, headers }, deletable) {
    const requested = request.headers.get('access-control-request-headers') ?? '';
    return new Response(null, {
      status: 204,
      headers: {
        ...headers,
        'access-control-allow-methods': (deletable ? DELETABLE_METHODS : FORWARDED_METHODS).join(', '),
        // The origin is trusted; the SDKs send many headers of their own (x-stainless-*, anthropic-*).
        ...(/^[\w\-, ]*$/.test(requested) && requested !== '' ? { 'access-control-allow-headers': requested } : {}),
        'access-control-max-age': '600',
      },
    });
  }

  /** @param {Exchange} exchange */
  function tooLarge(exchange) {
    return fail(exchange, 413, 'body_too_large', `The request body is larger than ${config.maxBodyBytes} bytes.`);
  }

  /**
   * @param {Exchange} exchange
   * @param {unknown} error
   */
  function upstreamFailed(exchange, error) {
    exchange.upstreamError ??= errorName(error);
    const label = exchange.provider?.label ?? 'The provider';
    if (error instanceof UpstreamTimeout) {
      const message = `${label} did not answer within ${config.upstreamTimeoutMs / 1000} s.`;
      return fail(exchange, 504, 'upstream_timeout', message);
    }
    return fail(exchange, 502, 'upstream_unreachable', `${label} could not be reached.`);
  }

  /**
   * An answer the Worker gives itself, in the provider's error shape.
   * @param {Exchange} exchange
   * @param {number} status
   * @param {string} code
   * @param {string} message  never contains the key
   * @param {Record<string, string>} [headers]
   */
  function fail(exchange, status, code, message, headers = {}) {
    exchange.code = code;
    const body = errorBody({ family: exchange.provider?.family, status, code, message });
    return json(status, body, { ...exchange.headers, ...headers });
  }

  /**
   * The request's log line: at error level for a 5xx, and for a stream the provider stopped feeding.
   * @param {Exchange} exchange
   * @param {number} status
   * @param {boolean} [failed]
   */
  function finish(exchange, status, failed = status >= 500) {
    const { request } = exchange;
    /** @type {Record<string, unknown>} */
    const fields = {
      method: request.method,
      provider: exchange.provider?.id,
      path: exchange.path,
      status,
      durationMs: Date.now() - exchange.started,
      requestId: exchange.requestId,
      upstreamRequestId: exchange.upstreamRequestId,
      keyFingerprint: exchange.fingerprint?.slice(0, 8),
      error: exchange.code,
      upstreamError: exchange.upstreamError,
    };
    if (log.enabled('debug')) {
      fields.upstreamMessage = exchange.upstreamMessage?.slice(0, 300);
      fields.headers = loggedHeaders(request.headers);
    }
    log[failed ? 'error' : 'info']('request', fields, [exchange.key]);
  }

  return { handle };
}

/**
 * The path and query of a request exactly as the client sent them. `new URL()` would resolve `.` and `..`
 * segments (spelled out or percent-encoded) before the allowlist sees them; the raw path is checked instead,
 * and refused when it has any.
 * @param {string} url
 */
function splitTarget(url) {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const target = start === -1 ? '/' : url.slice(start);
  const hash = target.indexOf('#');
  const withoutHash = hash === -1 ? target : target.slice(0, hash);
  const queryAt = withoutHash.indexOf('?');
  return {
    path: queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt),
    query: queryAt === -1 ? '' : withoutHash.slice(queryAt + 1),
  };
}

/**
 * The headers sent to the provider: those on the provider's allowlist (`forwardedHeaders`), then the key in the
 * header it came in, exactly as sent, then the provider's required headers the client left out. Nothing about
 * the client (cookies, its address, the page it came from, Cloudflare's cf-* headers) and no other credential
 * reaches the provider.
 * @param {Headers} incoming
 * @param {import('./config.js').ProviderConfig} provider
 * @param {{ header: string, value: string }} credential
 */
function forwardedHeaders(incoming, provider, credential) {
  const headers = new Headers();
  for (const [name, value] of incoming) {
    // The runtime sets Content-Length itself, from the body it sends.
    if (provider.forwards(name) && !NEVER_FORWARDED.has(name) && name !== 'content-length') headers.set(name, value);
  }
  headers.set(credential.header, credential.value);
  for (const name in provider.headers) {
    if (!headers.has(name)) headers.set(name, provider.headers[name]);
  }
  return headers;
}

/**
 * The headers passed back to the client: the provider's, less those in NOT_RETURNED and its CORS answer, then
 * the Worker's own, which replace the provider's of the same name. Every value is scrubbed of the key: a
 * provider (or a hostile upstream) may echo it in any header, such as `www-authenticate` or one of its own.
 * @param {Headers} upstream
 * @param {Record<string, string>} own
 * @param {(text: string) => string} redact
 */
function returnedHeaders(upstream, own, redact) {
  const headers = new Headers();
  for (const [name, value] of upstream) {
    if (NOT_RETURNED.has(name) || name.startsWith('access-control-')) continue;
    // The Worker's request id takes the name; the provider's stays available under another.
    headers.append(name === 'x-request-id' ? 'x-upstream-request-id' : name, redact(value));
  }
  for (const name in own) headers.set(name, own[name]);
  return headers;
}

/**
 * The provider's own id for a request (OpenAI-style `x-request-id`, Anthropic's `request-id`).
 * @param {Headers} headers
 */
function upstreamRequestId(headers) {
  const id = headers.get('x-request-id') ?? headers.get('request-id');
  return id !== null && REQUEST_ID.test(id) ? id : undefined;
}

/** @param {string} text */
function keepText(text) {
  return text;
}

/**
 * Counts a body as it streams, and fails it past `max` bytes.
 * @param {number} max
 */
function byteLimit(max) {
  let received = 0;
  return new TransformStream({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > max) controller.error(new BodyTooLarge());
      else controller.enqueue(chunk);
    },
  });
}

/**
 * A timer that fires once `ms` pass without a restart.
 * @param {number} ms
 * @param {() => void} fire
 */
function idleTimer(ms, fire) {
  let timer = setTimeout(fire, ms);
  return {
    restart() {
      clearTimeout(timer);
      timer = setTimeout(fire, ms);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/**
 * A body as text, or undefined when it is larger than `max` bytes (then it is not read further).
 * @param {Response} response
 * @param {number} max
 */
async function readText(response, max) {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** A short name for what went wrong on the way to the provider, for the log line (never its message). */
function errorName(/** @type {unknown} */ error) {
  if (error instanceof UpstreamTimeout) return 'timeout';
  return error instanceof Error ? error.name : 'error';
}

/**
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}
