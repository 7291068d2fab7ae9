// A local fake of the LLM providers create-byok talks to, for end-to-end tests, benchmarks and shell rigs.
//
// Every provider is mounted under its id: http://127.0.0.1:PORT/<id>/<the provider's real full path>, e.g.
// /openai/v1/chat/completions, /google/v1beta/models/gemini-2.5-flash:generateContent, /deepseek/user/balance.
// Each speaks its provider's real request and response shapes, error bodies, streaming format and CORS behaviour,
// so the official SDKs and the generated apps work against it unchanged (only their base URL points here).
//
// Plain ESM with JSDoc types and node: built-ins only, so vitest, plain node scripts and shell rigs can all use it.
// Types for TypeScript callers: fake-provider.d.mts beside this file. A CLI: fake-provider-cli.mjs.
//
// Keys are fakes too: add them with addKey(); every other key is invalid. Never use a real key here.

import http from 'node:http';
import { randomBytes } from 'node:crypto';

/** @typedef {'anthropic' | 'openai' | 'google' | 'mistral' | 'groq' | 'openrouter' | 'xai' | 'deepseek'} ProviderId */
/** @typedef {'valid' | 'forbidden' | 'rate-limited'} KeyStatus */
/** @typedef {{ status?: KeyStatus, models?: string[], providers?: ProviderId[] }} KeyOptions */
/**
 * @typedef {object} RecordedRequest
 * @property {string} provider  the id prefix ('' for a request outside any provider)
 * @property {string} method
 * @property {string} path      the raw path without the id prefix, e.g. '/v1/models'
 * @property {string} query     the raw query string without '?', e.g. 'alt=sse'
 * @property {Record<string, string | string[] | undefined>} headers  lower-case names, as node parsed them
 * @property {string} body      the request body as UTF-8 text (at most MAX_BODY_BYTES of it)
 * @property {number} time      Date.now() when the request was fully read
 */
/**
 * @typedef {object} ResponseOverride
 * @property {number} [status]   with `body`: sent as is; without it, a status >= 400 answers with the provider's own
 *                               error shape for that status; a status below 400 without body is ignored
 * @property {unknown} [body]    a string is sent as is, anything else as JSON
 * @property {Record<string, string>} [headers]  added to (and winning over) the headers the fake would send
 * @property {boolean} [echoKey] put the full key the client sent into the error body, as some upstreams do. With a
 *                               `body`, every '{{key}}' in it is replaced by the key
 *                               (and in `headers`), spelled as '{{key:json-unicode}}' etc. asks (see spellKeys)
 * @property {string} [redirectTo]  answer a redirect (`status`, default 307) to this URL, with an empty body
 * @property {number} [delayMs]  wait before answering (alone: then answer normally)
 * @property {boolean} [hang]    never answer; the request stays open until the client gives up or close()
 * @property {true | KeyEchoForm[]} [echoKeyInStream]  answer a chat call with a stream that carries the key the
 *                               client sent, in these forms (true: all), cut so that each form spans several writes
 */

export const PROVIDER_IDS = /** @type {const} */ ([
  'anthropic', 'openai', 'google', 'mistral', 'groq', 'openrouter', 'xai', 'deepseek',
]);

/** Models listed for a key added without `models`. Chat calls accept any model name unless the key lists models. */
export const DEFAULT_MODELS = /** @type {Record<ProviderId, string[]>} */ ({
  anthropic: ['claude-sonnet-4-6', 'claude-haiku-4-5-20251001', 'claude-opus-4-8'],
  openai: ['gpt-4o-mini', 'gpt-4.1', 'gpt-5-mini'],
  google: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash'],
  mistral: ['mistral-small-latest', 'mistral-large-latest', 'codestral-latest'],
  groq: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant', 'openai/gpt-oss-20b'],
  openrouter: ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4.5', 'google/gemini-2.5-flash'],
  xai: ['grok-4', 'grok-3-mini', 'grok-code-fast-1'],
  deepseek: ['deepseek-chat', 'deepseek-reasoner'],
});

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Short, so that an SDK that honours it (and tests that forget maxRetries: 0) stay fast. */
const RETRY_AFTER_SECONDS = '1';

/** The deterministic answer of every chat call. */
export function fakeAnswer(/** @type {string} */ provider, /** @type {string} */ userText) {
  return `Hello from fake ${provider}: ${userText}`;
}

/** Stream pieces: each word with the whitespace before it, so that joined they give the text back exactly. */
export function splitIntoChunks(/** @type {string} */ text) {
  return text.match(/\s*\S+|\s+$/g) ?? [text];
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const randomHex = (bytes = 12) => randomBytes(bytes).toString('hex');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const estimateTokens = (/** @type {string} */ text) => Math.max(1, Math.ceil(text.length / 4));
const isObject = (/** @type {unknown} */ v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "Title Case" of a model id without its date suffix: 'claude-haiku-4-5-20251001' -> 'Claude Haiku 4.5'. */
function displayName(/** @type {string} */ id) {
  return id.replace(/-\d{8}$/, '').replace(/(\d)-(?=\d)/g, '$1.').split(/[-/]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

/** OpenAI shows a wrong key as its prefix, stars and the last four characters: 'sk-proj-****...abcd'. */
function maskLikeOpenAi(/** @type {string} */ key) {
  if (key.length < 12) return '*'.repeat(key.length);
  const prefix = /^sk-(?:proj|svcacct|admin)-|^sk-/.exec(key)?.[0] ?? key.slice(0, 3);
  return prefix + '*'.repeat(key.length - prefix.length - 4) + key.slice(-4);
}
const maskLikeXai = (/** @type {string} */ key) => (key.length < 8 ? '***' : `${key.slice(0, 2)}***${key.slice(-2)}`);
const maskLikeDeepSeek = (/** @type {string} */ key) => `****${key.slice(-4)}`;
const maskLikeOpenRouter = (/** @type {string} */ key) =>
  key.length < 20 ? '***' : `${key.slice(0, 12)}...${key.slice(-3)}`;

/** Text of a chat message's content: a string, or an array of parts/blocks of which the text ones count. */
function contentText(/** @type {unknown} */ content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

/** The last user message of an OpenAI- or Anthropic-style `messages` array. */
function lastUserText(/** @type {unknown} */ messages) {
  if (!Array.isArray(messages)) return '';
  const user = [...messages].reverse().find((m) => isObject(m) && m.role === 'user');
  return user ? contentText(user.content) : '';
}

/** The last user turn of Gemini `contents` (role is optional there and means 'user' when missing). */
function lastGeminiUserText(/** @type {unknown} */ contents) {
  if (!Array.isArray(contents)) return '';
  const user = [...contents].reverse().find((c) => isObject(c) && (c.role ?? 'user') === 'user');
  return user ? contentText(user.parts) : '';
}

/** All text sent, for a rough input token count. */
const allText = (/** @type {unknown} */ value) => JSON.stringify(value ?? '');

// ---------------------------------------------------------------------------------------------------------------
// Error shapes. Each provider has an `errors(kind, info)` function returning { status, body, headers? }.

/**
 * @typedef {'missing_key' | 'invalid_key' | 'forbidden' | 'rate_limited' | 'not_found' | 'model_not_found'
 *   | 'method_not_allowed' | 'bad_json' | 'bad_request' | 'too_large' | 'server_error' | 'overloaded'
 *   | 'browser_refused'} ErrorKind
 * @typedef {{ key?: string, echoKey?: boolean, method: string, path: string, model?: string, message?: string,
 *   requestId: string, provider: string }} ErrorInfo
 * @typedef {{ status: number, body: unknown, headers?: Record<string, string> }} ErrorAnswer
 */

/** The key as the error message shows it: masked, or in full when a test asked for an upstream that echoes it. */
const shownKey = (/** @type {ErrorInfo} */ info, /** @type {(k: string) => string} */ mask) =>
  info.echoKey ? (info.key ?? '') : mask(info.key ?? '');

/** @returns {Record<string, string>} */
function openAiRateLimitHeaders(remaining = 59) {
  return {
    'x-ratelimit-limit-requests': '60',
    'x-ratelimit-remaining-requests': String(remaining),
    'x-ratelimit-reset-requests': '1s',
    'x-ratelimit-limit-tokens': '150000',
    'x-ratelimit-remaining-tokens': String(remaining === 0 ? 0 : 149000),
    'x-ratelimit-reset-tokens': '1s',
  };
}

/** Anthropic: {"type":"error","error":{"type":...,"message":...},"request_id":...} */
function anthropicErrors(/** @type {ErrorKind} */ kind, /** @type {ErrorInfo} */ info) {
  /** @type {Record<ErrorKind, [number, string, string]>} */
  const table = {
    missing_key: [401, 'authentication_error', 'x-api-key header is required'],
    invalid_key: [401, 'authentication_error', 'invalid x-api-key'],
    browser_refused: [401, 'authentication_error',
      "CORS requests must set 'anthropic-dangerous-direct-browser-access' header"],
    forbidden: [403, 'permission_error', 'Your API key does not have permission to use the specified resource.'],
    rate_limited: [429, 'rate_limit_error',
      'This request would exceed the rate limit for your organization of 50 requests per minute.'],
    not_found: [404, 'not_found_error', 'Not Found'],
    model_not_found: [404, 'not_found_error', `model: ${info.model}`],
    method_not_allowed: [405, 'invalid_request_error', `Method Not Allowed: ${info.method} ${info.path}`],
    bad_json: [400, 'invalid_request_error', 'There was an error parsing the body of your request.'],
    bad_request: [400, 'invalid_request_error', 'Invalid request'],
    too_large: [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
    server_error: [500, 'api_error', 'Internal server error'],
    overloaded: [529, 'overloaded_error', 'Overloaded'],
  };
  const [status, type, message] = table[kind];
  const headers = kind === 'rate_limited' ? {
    'retry-after': RETRY_AFTER_SECONDS,
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '0',
    'anthropic-ratelimit-requests-reset': new Date(Date.now() + 1000).toISOString(),
  } : undefined;
  return {
    status,
    body: { type: 'error', error: { type, message: info.message ?? message }, request_id: info.requestId },
    headers,
  };
}

/** OpenAI: {"error":{"message","type","param","code"}}; the base of the OpenAI-compatible providers below. */
function openAiErrors(/** @type {ErrorKind} */ kind, /** @type {ErrorInfo} */ info) {
  const where = `(${info.method} ${info.path})`;
  /** @type {Record<ErrorKind, [number, string, string | null, string]>} */
  const table = {
    missing_key: [401, 'invalid_request_error', null, "You didn't provide an API key. You need to provide your API " +
      'key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).'],
    invalid_key: [401, 'invalid_request_error', 'invalid_api_key',
      `Incorrect API key provided: ${shownKey(info, maskLikeOpenAi)}. You can find your API key at ` +
      'https://platform.openai.com/account/api-keys.'],
    browser_refused: [401, 'invalid_request_error', null, 'Browser requests are not allowed.'],
    forbidden: [403, 'invalid_request_error', null,
      'You have insufficient permissions for this operation. Missing scopes: model.request.'],
    rate_limited: [429, 'requests', 'rate_limit_exceeded', 'Rate limit reached for requests per min (RPM): ' +
      `Limit 60, Used 60, Requested 1. Please try again in ${RETRY_AFTER_SECONDS}s.`],
    not_found: [404, 'invalid_request_error', null, `Invalid URL ${where}`],
    model_not_found: [404, 'invalid_request_error', 'model_not_found',
      `The model \`${info.model}\` does not exist or you do not have access to it.`],
    method_not_allowed: [405, 'invalid_request_error', null, `Invalid method for URL ${where}`],
    bad_json: [400, 'invalid_request_error', null, 'We could not parse the JSON body of your request. (HINT: This ' +
      "likely means you aren't using your HTTP library correctly.)"],
    bad_request: [400, 'invalid_request_error', null, 'Invalid request'],
    too_large: [413, 'invalid_request_error', null, 'Request too large.'],
    server_error: [500, 'server_error', null, 'The server had an error while processing your request.'],
    overloaded: [503, 'server_error', null, 'The engine is currently overloaded, please try again later.'],
  };
  const [status, type, code, message] = table[kind];
  const headers = kind === 'rate_limited'
    ? { 'retry-after': RETRY_AFTER_SECONDS, ...openAiRateLimitHeaders(0) } : undefined;
  return { status, body: { error: { message: info.message ?? message, type, param: null, code } }, headers };
}

/** Groq: OpenAI's shape with its own wording. */
function groqErrors(/** @type {ErrorKind} */ kind, /** @type {ErrorInfo} */ info) {
  const base = openAiErrors(kind, info);
  if (kind !== 'invalid_key' && kind !== 'missing_key') return base;
  const message = info.message ?? (info.echoKey ? `Invalid API Key: ${info.key}` : 'Invalid API Key');
  return { ...base, body: { error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } } };
}

/** Mistral: {"detail":"Unauthorized"} for a bad key, else {"object":"error","message",...}. */
function mistralErrors(/** @type {ErrorKind} */ kind, /** @type {ErrorInfo} */ info) {
  const base = openAiErrors(kind, info);
  if (kind === 'invalid_key' || kind === 'missing_key') {
    return { ...base, body: { detail: info.message ?? (info.echoKey ? `Unauthorized: ${info.key}` : 'Unauthorized') } };
  }
  const { message, type, code } = /** @type {any} */ (base.body).error;
  return { ...base, body: { object: 'error', message, type, param: null, code } };
}

/**
 * xAI: {"code": <gRPC status text>, "error": <message>}. A wrong key is a 400 there, not a 401 (seen in many
 * client bug reports: '400 "Incorrect API key provided: xa***ys. You can obtain an API key from ..."').
 */
function xaiErrors(/** @type {ErrorKind} */ kind, /** @type {ErrorInfo} */ info) {
  const base = openAiErrors(kind, info);
  /** @type {Partial<Record<ErrorKind, [number, string, string]>>} */
  const table = {
    missing_key: [400, 'Client specified an invalid argument',
      'Incorrect API key provided: . You can obtain an API key from https://console.x.ai.'],
    invalid_key: [400, 'Client specified an invalid argument',
      `Incorrect API key provided: ${shownKey(info, maskLikeXai)}. You can obtain an API key from https://console.x.ai.`],
    forbidden: [403, 'The caller does not have permission to execute the specified operation',
      'Your team does not have permission to use this model or endpoint.'],
    rate_limited: [429, 'Some resource has been exhausted', 'Rate limit exceeded. Please retry later.'],
    not_found: [404, 'Some requested entity was not found', `No handler found for ${info.method} ${info.path}`],
    model_not_found: [404, 'Some requested entity was not found', `The model ${info.model} does not exist.`],
  };
  const row = table[kind];
  if (!row) {
    const { message } = /** @type {any} */ (base.body).error;
    return { ...base, body: { code: 'Client specified an invalid argument', error: message } };
  }
  return { status: row[0], body: { code: row[1], error: info.message ?? row[2] }, headers: base.headers };
}

/** DeepSeek: OpenAI's shape; a wrong key shows its last four characters. */
function deepseekErrors(/** @type {ErrorKind} */ kind, /** @type {ErrorInfo} */ info) {
  const base = openAiErrors(kind, info);
  const auth = {
    missing_key: 'Authentication Fails (auth header format should be Bearer sk-...)',
    invalid_key: `Authentication Fails, Your api key: ${shownKey(info, maskLikeDeepSeek)} is invalid`,
  }[/** @type {string} */ (kind)];
  if (auth) {
    const body = { error: { message: info.message ?? auth, type: 'authentication_error', param: null,
      code: 'invalid_request_error' } };
    return { status: 401, body };
  }
  return base;
}

/** OpenRouter: {"error":{"message","code": <the status>}}. */
function openRouterErrors(/** @type {ErrorKind} */ kind, /** @type {ErrorInfo} */ info) {
  const base = openAiErrors(kind, info);
  const messages = /** @type {Partial<Record<ErrorKind, string>>} */ ({
    missing_key: 'No auth credentials found',
    invalid_key: info.echoKey ? `User not found for key ${info.key}.` : 'User not found.',
    forbidden: 'This API key is not allowed to use this model.',
    rate_limited: 'Rate limit exceeded: limit_rpm/openai/gpt-4o-mini. Retry shortly.',
    not_found: 'Not Found',
  });
  const message = info.message ?? messages[kind] ?? /** @type {any} */ (base.body).error.message;
  return { ...base, body: { error: { message, code: base.status } } };
}

/** Google: {"error":{"code","message","status","details"?}} (google.rpc.Status). */
function googleErrors(/** @type {ErrorKind} */ kind, /** @type {ErrorInfo} */ info) {
  const errorInfo = (/** @type {string} */ reason) => ({
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  });
  /** @type {Record<ErrorKind, [number, string, string, unknown[]?]>} */
  const table = {
    // Google answers a request without any key with 403, and a wrong key with 400 (not 401).
    missing_key: [403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established " +
      'identity). Please use API Key or other form of API consumer identity to call this API.'],
    invalid_key: [400, 'INVALID_ARGUMENT', info.echoKey
      ? `API key not valid: ${info.key}. Please pass a valid API key.`
      : 'API key not valid. Please pass a valid API key.', [errorInfo('API_KEY_INVALID')]],
    browser_refused: [403, 'PERMISSION_DENIED', 'Requests from this origin are blocked.'],
    forbidden: [403, 'PERMISSION_DENIED', 'Generative Language API has not been used in this project before or it ' +
      'is disabled. Enable it by visiting the Google Cloud console then retry.', [errorInfo('SERVICE_DISABLED')]],
    rate_limited: [429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing ' +
      'details.', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${RETRY_AFTER_SECONDS}s` }]],
    not_found: [404, 'NOT_FOUND', `Requested entity was not found: ${info.path}`],
    model_not_found: [404, 'NOT_FOUND', `models/${info.model} is not found for API version v1beta, or is not ` +
      'supported for generateContent. Call ListModels to see the list of available models and their supported methods.'],
    method_not_allowed: [405, 'INVALID_ARGUMENT', `Method ${info.method} is not allowed for ${info.path}`],
    bad_json: [400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.'],
    bad_request: [400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.'],
    too_large: [413, 'INVALID_ARGUMENT', `Request payload size exceeds the limit: ${MAX_BODY_BYTES} bytes.`],
    server_error: [500, 'INTERNAL', 'An internal error has occurred. Please retry or report in ' +
      'https://developers.generativeai.google/guide/troubleshooting'],
    overloaded: [503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  };
  const [status, statusText, message, details] = table[kind];
  const error = { code: status, message: info.message ?? message, status: statusText, ...(details && { details }) };
  return { status, body: { error } };
}

/** The error kind a bare status of nextResponse() stands for. */
function kindForStatus(/** @type {number} */ status) {
  /** @type {Record<number, ErrorKind>} */
  const kinds = { 400: 'bad_request', 401: 'invalid_key', 403: 'forbidden', 404: 'not_found',
    405: 'method_not_allowed', 413: 'too_large', 429: 'rate_limited', 503: 'overloaded', 529: 'overloaded' };
  return kinds[status] ?? (status >= 500 ? 'server_error' : 'bad_request');
}

/** Puts `key` into the first message-like string of an error body that does not already contain it. */
function echoKeyInto(/** @type {unknown} */ body, /** @type {string} */ key) {
  if (!key || JSON.stringify(body).includes(JSON.stringify(key).slice(1, -1))) return body;
  const visit = (/** @type {any} */ node) => {
    if (!isObject(node)) return false;
    for (const field of ['message', 'error', 'detail']) {
      if (typeof node[field] === 'string') {
        node[field] += ` (key: ${key})`;
        return true;
      }
    }
    return Object.values(node).some(visit);
  };
  visit(body);
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the key a client sent

/** @typedef {{ headers: http.IncomingHttpHeaders, searchParams: URLSearchParams }} KeySource */

const header = (/** @type {http.IncomingHttpHeaders} */ h, /** @type {string} */ name) => {
  const value = h[name];
  return Array.isArray(value) ? value[0] : value;
};
const bearer = (/** @type {http.IncomingHttpHeaders} */ h) => /^Bearer\s+(.+)$/i.exec(header(h, 'authorization') ?? '')?.[1]?.trim();

/** Anthropic: x-api-key, or Authorization: Bearer (what the official TypeScript SDK 1.x sends). */
const anthropicKey = (/** @type {KeySource} */ s) => header(s.headers, 'x-api-key') || bearer(s.headers);
/** Google: x-goog-api-key, or ?key= (accepted as the real API does; recorded, so tests can assert it never happens). */
const googleKey = (/** @type {KeySource} */ s) => header(s.headers, 'x-goog-api-key') || s.searchParams.get('key') || undefined;
const bearerKey = (/** @type {KeySource} */ s) => bearer(s.headers);

// ---------------------------------------------------------------------------------------------------------------
// CORS, as each provider behaves. A policy has `preflight(ctx)` -> headers, or null to refuse the preflight, and
// `actual(ctx)` -> headers for the real request, or 'refuse' (answered 401 without any CORS header).

const EXPOSED_HEADERS = [
  'request-id', 'x-request-id', 'retry-after',
  'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens',
  'anthropic-ratelimit-requests-limit', 'anthropic-ratelimit-requests-remaining', 'anthropic-ratelimit-requests-reset',
].join(', ');

/** @typedef {{ preflight(ctx: Ctx): Record<string, string> | null, actual(ctx: Ctx): Record<string, string> | 'refuse' }} CorsPolicy */

/** @type {Record<string, string>} */
const NO_CORS_HEADERS = {};

/** @returns {Record<string, string>} */
function preflightHeaders(/** @type {Ctx} */ ctx, /** @type {string} */ allowOrigin, /** @type {string | undefined} */ allowHeaders) {
  return {
    'access-control-allow-origin': allowOrigin,
    'access-control-allow-methods': header(ctx.headers, 'access-control-request-method') || 'GET, POST, OPTIONS',
    ...(allowHeaders && { 'access-control-allow-headers': allowHeaders }),
    'access-control-max-age': '86400',
    ...(allowOrigin !== '*' && { vary: 'Origin' }),
  };
}
const requestedHeaders = (/** @type {Ctx} */ ctx) =>
  (header(ctx.headers, 'access-control-request-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);

/** Any origin, any requested header (OpenAI, OpenRouter, Groq, xAI, DeepSeek). */
/** @type {CorsPolicy} */
const openCors = {
  preflight: (ctx) => preflightHeaders(ctx, '*', requestedHeaders(ctx).join(', ') || undefined),
  actual: (ctx) => (ctx.origin
    ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS } : NO_CORS_HEADERS),
};

/** Mistral: browsers allowed, but a preflight asking for any header beyond these is refused. */
const MISTRAL_ALLOWED_HEADERS = ['authorization', 'content-type', 'accept', 'accept-language', 'content-language'];
/** @type {CorsPolicy} */
const mistralCors = {
  preflight: (ctx) => (requestedHeaders(ctx).every((h) => MISTRAL_ALLOWED_HEADERS.includes(h))
    ? preflightHeaders(ctx, '*', 'authorization, content-type, accept') : null),
  actual: openCors.actual,
};

/** Google: open on the native endpoint; the OpenAI-compatible one (/v1beta/openai/) fails the preflight. */
/** @type {CorsPolicy} */
const googleCors = {
  preflight: (ctx) => (ctx.path.startsWith('/v1beta/openai/') ? null : openCors.preflight(ctx)),
  actual: (ctx) => (ctx.path.startsWith('/v1beta/openai/') ? NO_CORS_HEADERS : openCors.actual(ctx)),
};

/**
 * Anthropic: a request with an Origin but without `anthropic-dangerous-direct-browser-access: true` gets 401 and no
 * CORS header at all (a browser reports a network error). With it, the origin is echoed back.
 */
const ANTHROPIC_BROWSER_HEADERS = ['anthropic-dangerous-direct-browser-access', 'x-api-key', 'anthropic-version',
  'content-type', 'authorization'];
/** @type {CorsPolicy} */
const anthropicCors = {
  preflight: (ctx) => preflightHeaders(ctx, ctx.origin || '*',
    [...new Set([...ANTHROPIC_BROWSER_HEADERS, ...requestedHeaders(ctx)])].join(', ')),
  actual: (ctx) => {
    if (!ctx.origin) return NO_CORS_HEADERS;
    if (header(ctx.headers, 'anthropic-dangerous-direct-browser-access') !== 'true') return 'refuse';
    return { 'access-control-allow-origin': ctx.origin, vary: 'Origin', 'access-control-expose-headers': EXPOSED_HEADERS };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Request context and answering

/**
 * @typedef {object} Ctx
 * @property {ProviderId} provider
 * @property {ProviderSpec} spec
 * @property {State} state
 * @property {http.IncomingMessage} req
 * @property {http.ServerResponse} res
 * @property {string} method
 * @property {string} path          decoded path under the id prefix
 * @property {URLSearchParams} searchParams
 * @property {http.IncomingHttpHeaders} headers
 * @property {string} rawBody
 * @property {boolean} tooLarge
 * @property {string} requestId
 * @property {string | undefined} origin
 * @property {string | undefined} key
 * @property {{ status: KeyStatus, models?: string[], providers?: ProviderId[] } | undefined} keyEntry
 * @property {any} body              parsed JSON body of a POST
 * @property {string[]} params       captured groups of the matched route
 * @property {Record<string, string>} corsHeaders
 * @property {Record<string, string>} overrideHeaders
 * @property {boolean} echoKey
 * @property {boolean} closed        the client went away
 */

/** @returns {boolean} false when the client has gone or an answer was already started */
function writeHead(/** @type {Ctx} */ ctx, /** @type {number} */ status, /** @type {Record<string, string>} */ headers) {
  if (ctx.closed || ctx.res.headersSent) return false;
  ctx.res.writeHead(status, {
    ...ctx.spec.baseHeaders(ctx),
    ...ctx.corsHeaders,
    ...headers,
    ...ctx.overrideHeaders,
  });
  return true;
}

function sendJson(/** @type {Ctx} */ ctx, /** @type {number} */ status, /** @type {unknown} */ body,
  /** @type {Record<string, string>} */ headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (writeHead(ctx, status, { 'content-type': 'application/json', ...headers })) ctx.res.end(text);
}

function sendError(/** @type {Ctx} */ ctx, /** @type {ErrorKind} */ kind, /** @type {Partial<ErrorInfo> & { status?: number }} */ extra = {}) {
  const info = { method: ctx.method, path: ctx.path, key: ctx.key, echoKey: ctx.echoKey, requestId: ctx.requestId,
    provider: ctx.provider, ...extra };
  const answer = ctx.spec.errors(kind, info);
  const body = info.echoKey ? echoKeyInto(answer.body, info.key ?? '') : answer.body;
  sendJson(ctx, extra.status ?? answer.status, body, answer.headers ?? {});
}

/** Streams `writes`, one res.write each, with the stream delay between them; ends the response after the last. */
async function streamWrites(/** @type {Ctx} */ ctx, /** @type {string} */ contentType, /** @type {string[]} */ writes) {
  if (!writeHead(ctx, 200, { 'content-type': contentType, 'cache-control': 'no-cache' })) return;
  ctx.res.flushHeaders();
  for (const [i, chunk] of writes.entries()) {
    if (i > 0) await pause(ctx.state, ctx.state.streamDelayMs);
    if (ctx.closed) return;
    ctx.res.write(chunk);
  }
  ctx.res.end();
}

/** A timer that close() can cut short; 0 ms still yields to the event loop so each write leaves on its own. */
function pause(/** @type {State} */ state, /** @type {number} */ ms) {
  return new Promise((resolve) => {
    const finish = () => { state.timers.delete(stop); resolve(undefined); };
    const timeout = ms > 0 ? setTimeout(finish, ms) : undefined;
    const immediate = ms > 0 ? undefined : setImmediate(finish);
    const stop = () => { clearTimeout(timeout); clearImmediate(immediate); finish(); };
    state.timers.add(stop);
  });
}

/** The models a key may use: its own list if it was added with one, else the provider's defaults. */
const modelsFor = (/** @type {Ctx} */ ctx) => ctx.keyEntry?.models ?? DEFAULT_MODELS[ctx.provider];

/** True if `model` may be used; a key added without `models` may use any model. Else answers 404 and returns false. */
function checkModel(/** @type {Ctx} */ ctx, /** @type {string} */ model) {
  if (!ctx.keyEntry?.models || ctx.keyEntry.models.includes(model)) return true;
  sendError(ctx, 'model_not_found', { model });
  return false;
}

/** True if the body has the required fields (by name). Else answers 400 naming the first missing one. */
function requireFields(/** @type {Ctx} */ ctx, /** @type {string[]} */ fields, /** @type {(f: string) => string} */ message) {
  const missing = fields.find((f) => ctx.body[f] === undefined || ctx.body[f] === null);
  if (missing === undefined) return true;
  sendError(ctx, 'bad_request', { message: message(missing) });
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Anthropic: /v1/models, /v1/messages (plain and SSE), /v1/messages/count_tokens

const anthropicModel = (/** @type {string} */ id) =>
  ({ type: 'model', id, display_name: displayName(id), created_at: '2025-01-01T00:00:00Z' });

function anthropicListModels(/** @type {Ctx} */ ctx) {
  const data = modelsFor(ctx).map(anthropicModel);
  sendJson(ctx, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
}

function anthropicGetModel(/** @type {Ctx} */ ctx) {
  const [id] = ctx.params;
  if (!modelsFor(ctx).includes(id)) return sendError(ctx, 'model_not_found', { model: id });
  sendJson(ctx, 200, anthropicModel(id));
}

function anthropicMessages(/** @type {Ctx} */ ctx) {
  if (!requireFields(ctx, ['model', 'max_tokens', 'messages'], (f) => `${f}: Field required`)) return;
  if (!checkModel(ctx, ctx.body.model)) return;
  const text = fakeAnswer(ctx.provider, lastUserText(ctx.body.messages));
  const pieces = splitIntoChunks(text);
  const message = {
    id: `msg_${randomHex()}`,
    type: 'message',
    role: 'assistant',
    model: ctx.body.model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: estimateTokens(allText(ctx.body.messages)), output_tokens: pieces.length },
  };
  if (ctx.body.stream !== true) return sendJson(ctx, 200, message);
  return streamWrites(ctx, 'text/event-stream; charset=utf-8', anthropicStream(message, pieces));
}

/**
 * The SSE frames of the real API: message_start (content empty), content_block_start, ping, one content_block_delta
 * per piece, content_block_stop, message_delta (stop_reason and final output_tokens), message_stop.
 * One write per piece; the opening frames travel with the first piece and the closing ones with the last.
 */
function anthropicStream(/** @type {any} */ message, /** @type {string[]} */ pieces) {
  const frame = (/** @type {string} */ event, /** @type {object} */ data) =>
    `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
  const opening = frame('message_start', { message: { ...message, content: [], stop_reason: null,
    usage: { ...message.usage, output_tokens: 1 } } })
    + frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
    + frame('ping', {});
  const closing = frame('content_block_stop', { index: 0 })
    + frame('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: message.usage.output_tokens } })
    + frame('message_stop', {});
  const deltas = pieces.map((text) => frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }));
  return withEnds(deltas, opening, closing);
}

function anthropicCountTokens(/** @type {Ctx} */ ctx) {
  if (!requireFields(ctx, ['model', 'messages'], (f) => `${f}: Field required`)) return;
  if (!checkModel(ctx, ctx.body.model)) return;
  sendJson(ctx, 200, { input_tokens: estimateTokens(allText(ctx.body.messages)) });
}

/** Puts `opening` before the first write and `closing` after the last. */
function withEnds(/** @type {string[]} */ writes, /** @type {string} */ opening, /** @type {string} */ closing) {
  const out = [...writes];
  out[0] = opening + out[0];
  out[out.length - 1] += closing;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// OpenAI and the OpenAI-compatible providers: models, chat/completions (plain and `data:` SSE ending in [DONE])

const OWNERS = /** @type {Record<string, string>} */ ({
  openai: 'system', mistral: 'mistralai', groq: 'Meta', xai: 'xai', deepseek: 'deepseek', openrouter: 'openrouter',
});
const openAiModel = (/** @type {Ctx} */ ctx, /** @type {string} */ id) =>
  ({ id, object: 'model', created: 1700000000, owned_by: OWNERS[ctx.provider] });

function openAiListModels(/** @type {Ctx} */ ctx) {
  sendJson(ctx, 200, { object: 'list', data: modelsFor(ctx).map((id) => openAiModel(ctx, id)) });
}

function openAiGetModel(/** @type {Ctx} */ ctx) {
  const [id] = ctx.params;
  if (!modelsFor(ctx).includes(id)) return sendError(ctx, 'model_not_found', { model: id });
  sendJson(ctx, 200, openAiModel(ctx, id));
}

function openAiChat(/** @type {Ctx} */ ctx) {
  if (!requireFields(ctx, ['model', 'messages'], (f) => `you must provide a ${f} parameter`)) return;
  if (!checkModel(ctx, ctx.body.model)) return;
  const text = fakeAnswer(ctx.provider, lastUserText(ctx.body.messages));
  const pieces = splitIntoChunks(text);
  const promptTokens = estimateTokens(allText(ctx.body.messages));
  const usage = { prompt_tokens: promptTokens, completion_tokens: pieces.length, total_tokens: promptTokens + pieces.length };
  const head = {
    id: ctx.provider === 'openrouter' ? `gen-${randomHex()}` : `chatcmpl-${randomHex()}`,
    created: nowSeconds(),
    model: ctx.body.model,
    ...(ctx.provider === 'openrouter' && { provider: 'FakeUpstream' }),
  };
  if (ctx.body.stream !== true) {
    const choice = { index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null,
      finish_reason: 'stop' };
    return sendJson(ctx, 200, { ...head, object: 'chat.completion', choices: [choice], usage });
  }
  const withUsage = ctx.body.stream_options?.include_usage === true;
  return streamWrites(ctx, 'text/event-stream; charset=utf-8', openAiStream(head, pieces, withUsage ? usage : null));
}

/**
 * `data: <chat.completion.chunk>` lines: the first delta is {role:'assistant', content:''}, then one chunk per
 * piece, then an empty delta with finish_reason 'stop', (the usage chunk with `choices: []` when
 * stream_options.include_usage was set), and `data: [DONE]`.
 */
function openAiStream(/** @type {object} */ head, /** @type {string[]} */ pieces, /** @type {object | null} */ usage) {
  const data = (/** @type {object} */ chunk) => `data: ${JSON.stringify(chunk)}\n\n`;
  const chunk = (/** @type {object} */ delta, /** @type {string | null} */ finish) => data({
    ...head, object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usage && { usage: null }),
  });
  const opening = chunk({ role: 'assistant', content: '' }, null);
  const closing = chunk({}, 'stop')
    + (usage ? data({ ...head, object: 'chat.completion.chunk', choices: [], usage }) : '')
    + 'data: [DONE]\n\n';
  return withEnds(pieces.map((content) => chunk({ content }, null)), opening, closing);
}

/** xAI's key check, GET /v1/api-key: about the key itself. */
function xaiApiKeyInfo(/** @type {Ctx} */ ctx) {
  sendJson(ctx, 200, {
    redacted_api_key: maskLikeXai(ctx.key ?? ''),
    user_id: 'fake-user', name: 'fake key', create_time: '2025-01-01T00:00:00Z', modify_time: '2025-01-01T00:00:00Z',
    modified_by: 'fake-user', team_id: 'fake-team', acls: ['api-key:model:*', 'api-key:endpoint:*'],
    api_key_id: 'fake-key-id', team_blocked: false, api_key_blocked: false, api_key_disabled: false,
  });
}

/** DeepSeek's key check, GET /user/balance. */
function deepseekBalance(/** @type {Ctx} */ ctx) {
  sendJson(ctx, 200, { is_available: true, balance_infos: [{ currency: 'USD', total_balance: '10.00',
    granted_balance: '0.00', topped_up_balance: '10.00' }] });
}

/** OpenRouter's key check, GET /api/v1/key. */
function openRouterKeyInfo(/** @type {Ctx} */ ctx) {
  sendJson(ctx, 200, { data: { label: maskLikeOpenRouter(ctx.key ?? ''), limit: null, usage: 0, limit_remaining: null,
    is_free_tier: false, is_provisioning_key: false, rate_limit: { requests: 20, interval: '10s' } } });
}

/** OpenRouter's model list is public and has its own shape (no `object`, pricing instead of owned_by). */
function openRouterListModels(/** @type {Ctx} */ ctx) {
  const data = DEFAULT_MODELS.openrouter.map((id) => ({
    id, name: displayName(id), created: 1700000000, description: `Fake ${id}`, context_length: 128000,
    pricing: { prompt: '0.0000001', completion: '0.0000004' },
  }));
  sendJson(ctx, 200, { data });
}

// ---------------------------------------------------------------------------------------------------------------
// Google Gemini: /v1beta/models, :generateContent, :streamGenerateContent (?alt=sse, or a streamed JSON array), :countTokens

const geminiModel = (/** @type {string} */ id) => ({
  name: `models/${id}`, version: '001', displayName: displayName(id), description: `Fake ${id}`,
  inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ['generateContent', 'countTokens'],
  temperature: 1, topP: 0.95, topK: 64,
});

function geminiListModels(/** @type {Ctx} */ ctx) {
  sendJson(ctx, 200, { models: modelsFor(ctx).map(geminiModel) });
}

function geminiGetModel(/** @type {Ctx} */ ctx) {
  const id = ctx.params[1];
  if (!modelsFor(ctx).includes(id)) return sendError(ctx, 'model_not_found', { model: id });
  sendJson(ctx, 200, geminiModel(id));
}

/** One GenerateContentResponse; `finish` marks the last one (the whole answer, or a stream's last chunk). */
function geminiResponse(/** @type {string} */ model, /** @type {string} */ text, /** @type {object} */ usage,
  /** @type {string} */ responseId, /** @type {boolean} */ finish) {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(finish && { finishReason: 'STOP' }), index: 0 }],
    usageMetadata: usage,
    modelVersion: model,
    responseId,
  };
}

function geminiGenerate(/** @type {Ctx} */ ctx) {
  const [, model, method] = ctx.params;
  if (!Array.isArray(ctx.body.contents) || ctx.body.contents.length === 0) {
    return sendError(ctx, 'bad_request', { message: '* GenerateContentRequest.contents: contents is not specified' });
  }
  if (!checkModel(ctx, model)) return;
  const text = fakeAnswer(ctx.provider, lastGeminiUserText(ctx.body.contents));
  const pieces = splitIntoChunks(text);
  const prompt = estimateTokens(allText(ctx.body.contents));
  const usage = { promptTokenCount: prompt, candidatesTokenCount: pieces.length, totalTokenCount: prompt + pieces.length };
  const responseId = randomHex(8);
  if (method === 'generateContent') return sendJson(ctx, 200, geminiResponse(model, text, usage, responseId, true));

  const chunks = pieces.map((piece, i) => geminiResponse(model, piece, usage, responseId, i === pieces.length - 1));
  if (ctx.searchParams.get('alt') === 'sse') {
    // The real API separates SSE events with CRLF CRLF (the @google/genai parser accepts \n\n, \r\r and \r\n\r\n).
    return streamWrites(ctx, 'text/event-stream', chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`));
  }
  // Without alt=sse the stream is one JSON array, written element by element.
  const writes = chunks.map((c, i) => (i === 0 ? '[' : ',\r\n') + JSON.stringify(c));
  writes[writes.length - 1] += ']';
  return streamWrites(ctx, 'application/json; charset=UTF-8', writes);
}

function geminiCountTokens(/** @type {Ctx} */ ctx) {
  const [, model] = ctx.params;
  if (!checkModel(ctx, model)) return;
  const contents = ctx.body.contents ?? ctx.body.generateContentRequest?.contents;
  sendJson(ctx, 200, { totalTokens: estimateTokens(allText(contents)) });
}

// ---------------------------------------------------------------------------------------------------------------
// Key-echoing streams, for leak tests: a streamed chat answer, in the provider's own format, that carries the key
// the client sent in the forms an upstream could put it in. It is cut into 5-character pieces, so every form
// spans several writes and a redactor that looks at one piece at a time misses it.

/** @typedef {'raw' | 'json' | 'json-unicode' | 'url' | 'base64'} KeyEchoForm */

/** @type {readonly KeyEchoForm[]} */
export const KEY_ECHO_FORMS = ['raw', 'json', 'json-unicode', 'url', 'base64'];

/**
 * `key` in each form: as is; JSON-escaped with short escapes (\" \\ \/); every character as \uXXXX and
 * percent-encoded, the hex digits in mixed case; base64 of `user:` + key (as in Basic auth, so the key does not
 * start on a 3-byte boundary).
 * @returns {Record<KeyEchoForm, string>}
 */
export function keyEchoForms(/** @type {string} */ key) {
  const hex = (/** @type {string} */ char, /** @type {number} */ i) => {
    const digits = char.charCodeAt(0).toString(16).padStart(2, '0');
    return i % 2 ? digits.toUpperCase() : digits;
  };
  return {
    raw: key,
    json: JSON.stringify(key).slice(1, -1).replaceAll('/', '\\/'),
    'json-unicode': [...key].map((char, i) => `\\u00${hex(char, i)}`).join(''),
    url: [...key].map((char, i) => `%${hex(char, i + 1)}`).join(''),
    base64: Buffer.from(`user:${key}`).toString('base64'),
  };
}

/** The text of a key-echoing answer. */
export function keyEchoText(/** @type {string} */ key, /** @type {readonly KeyEchoForm[]} */ forms = KEY_ECHO_FORMS) {
  const shown = keyEchoForms(key);
  return `Echo: ${forms.map((form) => `${form} <${shown[form]}>`).join(', ')}.`;
}

/** Streams keyEchoText() for the key of this request, in the provider's streaming format. Returns true. */
async function streamKeyEcho(/** @type {Ctx} */ ctx, /** @type {readonly KeyEchoForm[]} */ forms) {
  const text = keyEchoText(ctx.key ?? '', forms);
  const pieces = text.match(/[^]{1,5}/g) ?? [text];
  const model = String(ctx.body?.model ?? ctx.params?.[1] ?? 'fake-model');
  if (ctx.spec === google) {
    const usage = { promptTokenCount: 1, candidatesTokenCount: pieces.length, totalTokenCount: pieces.length + 1 };
    const chunks = pieces.map((piece, i) => geminiResponse(model, piece, usage, randomHex(8), i === pieces.length - 1));
    await streamWrites(ctx, 'text/event-stream', chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`));
  } else if (ctx.spec === anthropic) {
    const message = { id: `msg_${randomHex()}`, type: 'message', role: 'assistant', model, content: [{ type: 'text', text }],
      stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: pieces.length } };
    await streamWrites(ctx, 'text/event-stream; charset=utf-8', anthropicStream(message, pieces));
  } else {
    const head = { id: `chatcmpl-${randomHex()}`, created: nowSeconds(), model };
    await streamWrites(ctx, 'text/event-stream; charset=utf-8', openAiStream(head, pieces, null));
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// OpenRouter's OAuth PKCE flow: GET /auth is the consent page (an "Authorize" link back to callback_url with
// ?code=), POST /api/v1/auth/keys trades {code, code_verifier, code_challenge_method} for {key}. The verifier
// must hash (S256) to the challenge the consent page was given; a code works once, right or wrong.

import { createHash } from 'node:crypto';

/** @type {WeakMap<State, Map<string, { challenge: string, method: string }>>} */
const oauthCodes = new WeakMap();
const codesOf = (/** @type {State} */ state) => oauthCodes.get(state) ?? oauthCodes.set(state, new Map()).get(state);
const escapeHtml = (/** @type {string} */ text) =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function openRouterConsent(/** @type {Ctx} */ ctx) {
  const callback = ctx.searchParams.get('callback_url') ?? '';
  const challenge = ctx.searchParams.get('code_challenge') ?? '';
  const method = ctx.searchParams.get('code_challenge_method') ?? 'plain';
  if (!/^https?:\/\//.test(callback) || !challenge) {
    return sendError(ctx, 'bad_request', { message: 'callback_url (http or https) and code_challenge are required' });
  }
  const code = `fake-code-${randomHex(16)}`;
  codesOf(ctx.state).set(code, { challenge, method });
  const back = new URL(callback);
  back.searchParams.set('code', code);
  if (!writeHead(ctx, 200, { 'content-type': 'text/html; charset=utf-8' })) return;
  ctx.res.end(`<!doctype html><html lang="en"><title>Fake OpenRouter: authorize</title>
<h1>Connect to the fake OpenRouter</h1><p>An app asks for a key on your account.</p>
<a href="${escapeHtml(back.href)}">Authorize</a></html>`);
}

function openRouterKeyFromCode(/** @type {Ctx} */ ctx) {
  const { code, code_verifier: verifier, code_challenge_method: method } = ctx.body;
  const issued = codesOf(ctx.state).get(String(code));
  codesOf(ctx.state).delete(String(code));
  const hashed = typeof verifier === 'string' && createHash('sha256').update(verifier).digest('base64url');
  const valid = issued && method === issued.method && (method === 'S256' ? hashed === issued.challenge : verifier === issued.challenge);
  if (!valid) return sendJson(ctx, 403, { error: { message: 'Invalid code or code_verifier', code: 403 } });
  const key = `sk-or-v1-fa4e${randomHex(30)}`;
  ctx.state.keys.set(key, { status: 'valid', models: undefined, providers: ['openrouter'] });
  sendJson(ctx, 200, { key, user_id: 'fake-user' });
}

/** @type {Route[]} */
const OPENROUTER_OAUTH_ROUTES = [
  { method: 'GET', path: '/auth', handle: openRouterConsent, public: true },
  { method: 'POST', path: '/api/v1/auth/keys', handle: openRouterKeyFromCode, public: true },
];

// ---------------------------------------------------------------------------------------------------------------
// The providers: routes -> handlers, plus how each reads keys, shapes errors, does CORS and extra checks.

/**
 * @typedef {object} Route
 * @property {string} method
 * @property {string | RegExp} path   exact path, or a RegExp whose groups become ctx.params
 * @property {(ctx: Ctx) => unknown} handle
 * @property {boolean} [public]       no key needed
 *
 * @typedef {object} ProviderSpec
 * @property {Route[]} routes
 * @property {(s: KeySource) => string | undefined} readKey
 * @property {(kind: ErrorKind, info: ErrorInfo) => ErrorAnswer} errors
 * @property {CorsPolicy} cors
 * @property {(ctx: Ctx) => Record<string, string>} baseHeaders  sent with every answer (request ids, rate limits)
 * @property {(ctx: Ctx) => boolean} [check]  after authentication; answers and returns false to stop
 */

/** Anthropic rejects a request without `anthropic-version` (any value is accepted here). */
function requireAnthropicVersion(/** @type {Ctx} */ ctx) {
  if (header(ctx.headers, 'anthropic-version')) return true;
  sendError(ctx, 'bad_request', { message: 'anthropic-version: header is required' });
  return false;
}

/** @type {ProviderSpec} */
const anthropic = {
  routes: [
    { method: 'GET', path: '/v1/models', handle: anthropicListModels },
    { method: 'GET', path: /^\/v1\/models\/([^/]+)$/, handle: anthropicGetModel },
    { method: 'POST', path: '/v1/messages', handle: anthropicMessages },
    { method: 'POST', path: '/v1/messages/count_tokens', handle: anthropicCountTokens },
  ],
  readKey: anthropicKey,
  errors: anthropicErrors,
  cors: anthropicCors,
  baseHeaders: (ctx) => ({ 'request-id': ctx.requestId }),
  check: requireAnthropicVersion,
};

/** @type {ProviderSpec} */
const google = {
  routes: [
    { method: 'GET', path: /^\/(v1|v1beta)\/models$/, handle: geminiListModels },
    { method: 'GET', path: /^\/(v1|v1beta)\/models\/([^/:]+)$/, handle: geminiGetModel },
    { method: 'POST', path: /^\/(v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/, handle: geminiGenerate },
    { method: 'POST', path: /^\/(v1|v1beta)\/models\/([^/:]+):countTokens$/, handle: geminiCountTokens },
  ],
  readKey: googleKey,
  errors: googleErrors,
  cors: googleCors,
  baseHeaders: () => ({}),
};

/**
 * An OpenAI-compatible provider: models and chat/completions under each of `prefixes`, plus `extra` routes.
 * @param {{ prefixes: string[], errors?: ProviderSpec['errors'], cors?: CorsPolicy, extra?: Route[],
 *   publicModels?: (ctx: Ctx) => unknown }} options
 * @returns {ProviderSpec}
 */
function openAiCompatible({ prefixes, errors = openAiErrors, cors = openCors, extra = [], publicModels }) {
  const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  /** @type {Route[]} */
  const routes = prefixes.flatMap((prefix) => [
    publicModels
      ? { method: 'GET', path: `${prefix}/models`, handle: publicModels, public: true }
      : { method: 'GET', path: `${prefix}/models`, handle: openAiListModels },
    { method: 'GET', path: new RegExp(`^${escape(prefix)}/models/(.+)$`), handle: openAiGetModel },
    { method: 'POST', path: `${prefix}/chat/completions`, handle: openAiChat },
  ]);
  return {
    routes: [...extra, ...routes],
    readKey: bearerKey,
    errors,
    cors,
    baseHeaders: (ctx) => ({ 'x-request-id': ctx.requestId, ...openAiRateLimitHeaders() }),
  };
}

/** @type {Record<ProviderId, ProviderSpec>} */
const PROVIDERS = {
  anthropic,
  openai: openAiCompatible({ prefixes: ['/v1'] }),
  google,
  mistral: openAiCompatible({ prefixes: ['/v1'], errors: mistralErrors, cors: mistralCors }),
  groq: openAiCompatible({ prefixes: ['/openai/v1'], errors: groqErrors }),
  openrouter: openAiCompatible({
    prefixes: ['/api/v1'],
    errors: openRouterErrors,
    publicModels: openRouterListModels,
    extra: [{ method: 'GET', path: '/api/v1/key', handle: openRouterKeyInfo }, ...OPENROUTER_OAUTH_ROUTES],
  }),
  xai: openAiCompatible({
    prefixes: ['/v1'],
    errors: xaiErrors,
    extra: [{ method: 'GET', path: '/v1/api-key', handle: xaiApiKeyInfo }],
  }),
  // DeepSeek's documented base URL has no /v1; /v1 works too, as on the real API.
  deepseek: openAiCompatible({
    prefixes: ['', '/v1'],
    errors: deepseekErrors,
    extra: [{ method: 'GET', path: '/user/balance', handle: deepseekBalance }],
  }),
};

/** @returns {{ route?: Route, params: string[], pathKnown: boolean }} */
function matchRoute(/** @type {ProviderSpec} */ spec, /** @type {string} */ method, /** @type {string} */ path) {
  let pathKnown = false;
  for (const route of spec.routes) {
    const match = typeof route.path === 'string' ? (route.path === path ? [path] : null) : route.path.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (route.method === method) return { route, params: match.slice(1), pathKnown };
  }
  return { params: [], pathKnown };
}

// ---------------------------------------------------------------------------------------------------------------
// The server

/**
 * @typedef {object} State
 * @property {RecordedRequest[]} requests
 * @property {Map<string, { status: KeyStatus, models?: string[], providers?: ProviderId[] }>} keys
 * @property {Map<string, ResponseOverride[]>} overrides
 * @property {number} streamDelayMs
 * @property {Set<() => void>} timers  pending pauses; calling one ends it now
 */

/** Reads the body, keeping at most MAX_BODY_BYTES; the rest is drained so the answer can still be read. */
function readBody(/** @type {http.IncomingMessage} */ req) {
  return new Promise((resolve) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES, ok: true }));
    req.on('error', () => resolve({ text: '', tooLarge: false, ok: false }));
    req.on('close', () => { if (!req.complete) resolve({ text: '', tooLarge: false, ok: false }); });
  });
}

/** Splits '/openai/v1/models?x' into ['openai', '/v1/models']. */
function splitTarget(/** @type {string} */ target) {
  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  const query = q >= 0 ? target.slice(q + 1) : '';
  const m = /^\/([^/]*)(\/.*)?$/.exec(rawPath);
  return { provider: m?.[1] ?? '', path: m?.[2] ?? '/', query };
}

function safeDecode(/** @type {string} */ s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** The next one-shot override for `provider`, removed from the queue. */
function takeOverride(/** @type {State} */ state, /** @type {string} */ provider) {
  return state.overrides.get(provider)?.shift();
}

/** Applies an override. Returns true when it answered (or hangs), false to go on with the normal answer. */
async function applyOverride(/** @type {Ctx} */ ctx, /** @type {ResponseOverride} */ o) {
  if (o.hang) return true; // never answered: the client gives up, or close() destroys the socket
  if (o.echoKeyInStream) return streamKeyEcho(ctx, o.echoKeyInStream === true ? KEY_ECHO_FORMS : o.echoKeyInStream);
  if (o.delayMs) await pause(ctx.state, o.delayMs);
  if (ctx.closed) return true;
  ctx.overrideHeaders = o.echoKey && ctx.key ? hostileHeaders(o.headers, ctx.key) : { ...o.headers };
  ctx.echoKey = o.echoKey === true;
  if (o.redirectTo !== undefined) return hostileRedirect(ctx, o);
  if (o.body !== undefined) {
    let text = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    if (o.echoKey && ctx.key) text = spellKeys(text, ctx.key);
    const type = typeof o.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    if (writeHead(ctx, o.status ?? 200, { 'content-type': type })) ctx.res.end(text);
    return true;
  }
  if (o.status !== undefined && o.status >= 400) {
    sendError(ctx, kindForStatus(o.status), { status: o.status });
    return true;
  }
  return false;
}

/** Checks the key of a non-public route. Answers the provider's error and returns false when it is not usable. */
function authenticate(/** @type {Ctx} */ ctx) {
  const entry = ctx.key ? ctx.state.keys.get(ctx.key) : undefined;
  /** @type {ErrorKind | undefined} */
  let refusal;
  if (!ctx.key) refusal = 'missing_key';
  else if (!entry || (entry.providers && !entry.providers.includes(ctx.provider))) refusal = 'invalid_key';
  else if (entry.status === 'forbidden') refusal = 'forbidden';
  else if (entry.status === 'rate-limited') refusal = 'rate_limited';
  if (refusal) {
    sendError(ctx, refusal);
    return false;
  }
  ctx.keyEntry = entry;
  return true;
}

/** Parses a POST body as a JSON object into ctx.body; answers 400 and returns false when it is not one. */
function parseBody(/** @type {Ctx} */ ctx) {
  if (ctx.method !== 'POST') return true;
  let body;
  try { body = JSON.parse(ctx.rawBody); } catch { body = undefined; }
  if (!isObject(body)) {
    sendError(ctx, 'bad_json');
    return false;
  }
  ctx.body = body;
  return true;
}

/** The answer to an OPTIONS request: the provider's preflight headers, or 403 with no CORS header at all. */
function answerPreflight(/** @type {Ctx} */ ctx) {
  const headers = ctx.spec.cors.preflight(ctx);
  if (headers) {
    ctx.res.writeHead(204, { ...headers, 'content-length': '0' });
    ctx.res.end();
  } else {
    ctx.res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
    ctx.res.end('CORS preflight refused');
  }
}

/** One request to a provider, from preflight to answer. */
async function handleProviderRequest(/** @type {Ctx} */ ctx) {
  if (ctx.method === 'OPTIONS') return answerPreflight(ctx);

  const cors = ctx.spec.cors.actual(ctx);
  ctx.corsHeaders = cors === 'refuse' ? {} : cors;

  const override = takeOverride(ctx.state, ctx.provider);
  if (override && await applyOverride(ctx, override)) return;

  if (cors === 'refuse') return sendError(ctx, 'browser_refused');
  if (ctx.tooLarge) return sendError(ctx, 'too_large');

  const { route, params, pathKnown } = matchRoute(ctx.spec, ctx.method, ctx.path);
  if (!route) return sendError(ctx, pathKnown ? 'method_not_allowed' : 'not_found');
  ctx.params = params;

  if (!route.public && !authenticate(ctx)) return;
  if (ctx.spec.check && !ctx.spec.check(ctx)) return;
  if (!parseBody(ctx)) return;
  await route.handle(ctx);
}

/**
 * Starts the fake on `host:port` (default 127.0.0.1, a free port).
 * @param {{ port?: number, host?: string }} [options]
 */
export async function startFakeProvider({ port = 0, host = '127.0.0.1' } = {}) {
  /** @type {State} */
  const state = { requests: [], keys: new Map(), overrides: new Map(), streamDelayMs: 0, timers: new Set() };
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();

  const fake = {
    /** e.g. 'http://127.0.0.1:PORT' */
    url: '',
    /** Everything received, preflights included, in order of arrival. Cleared in place by reset(). */
    requests: state.requests,
    /** The base URL of one provider, to pass as `--base-url <id>=...` or to an SDK. */
    baseUrl: (/** @type {ProviderId} */ id) => {
      if (!PROVIDERS[id]) throw new Error(`unknown provider id: ${id}`);
      return `${fake.url}/${id}`;
    },
    /** Makes `key` known: valid, forbidden (403) or rate-limited (429). Every other key is invalid. */
    addKey: (/** @type {string} */ key, /** @type {KeyOptions} */ options = {}) => {
      const status = options.status ?? 'valid';
      if (!['valid', 'forbidden', 'rate-limited'].includes(status)) throw new Error(`unknown key status: ${status}`);
      state.keys.set(key, { status, models: options.models, providers: options.providers });
    },
    removeKey: (/** @type {string} */ key) => { state.keys.delete(key); },
    /** Clears the recorded requests and pending one-shot overrides; keys and the stream delay stay. */
    reset: () => { state.requests.length = 0; state.overrides.clear(); },
    /** A one-shot answer for the next non-preflight request to `provider` (queued: several calls, several requests). */
    nextResponse: (/** @type {ProviderId} */ provider, /** @type {ResponseOverride} */ override) => {
      if (!PROVIDERS[provider]) throw new Error(`unknown provider id: ${provider}`);
      const queue = state.overrides.get(provider) ?? [];
      queue.push({ ...override });
      state.overrides.set(provider, queue);
    },
    /** Milliseconds between the writes of a stream (default 0). */
    setStreamDelay: (/** @type {number} */ ms) => { state.streamDelayMs = Math.max(0, Number(ms) || 0); },
    /** Stops listening and destroys open connections, hanging requests included. */
    close: () => new Promise((resolve) => {
      for (const stop of [...state.timers]) stop();
      server.close(() => resolve(undefined));
      for (const socket of sockets) socket.destroy();
    }),
  };

  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    onRequest(state, fake, req, res).catch((err) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `fake provider bug: ${err?.message ?? err}` } }));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(undefined); });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  fake.url = `http://${shownHost}:${address.port}`;
  return fake;
}

/** @typedef {Awaited<ReturnType<typeof startFakeProvider>>} FakeProvider */

/** Routes one request: the control API, a provider, or a 404 for anything else. */
async function onRequest(/** @type {State} */ state, /** @type {FakeProvider} */ fake,
  /** @type {http.IncomingMessage} */ req, /** @type {http.ServerResponse} */ res) {
  const target = req.url ?? '/';
  const { provider, path, query } = splitTarget(target);
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  if (!body.ok) return; // the client went away mid-request

  if (provider === '_fake') return handleControl(fake, { method, path, query, rawBody: body.text }, res);

  state.requests.push({ provider, method, path, query, headers: { ...req.headers }, body: body.text, time: Date.now() });

  const spec = PROVIDERS[/** @type {ProviderId} */ (provider)];
  if (!spec) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `no fake provider "${provider}"; known: ${PROVIDER_IDS.join(', ')}` }));
    return;
  }
  const headers = req.headers;
  const searchParams = new URLSearchParams(query);
  /** @type {Ctx} */
  const ctx = {
    provider: /** @type {ProviderId} */ (provider), spec, state, req, res, method,
    path: safeDecode(path), searchParams, headers, rawBody: body.text, tooLarge: body.tooLarge,
    requestId: `req_${randomHex(12)}`, origin: header(headers, 'origin'),
    key: spec.readKey({ headers, searchParams }), keyEntry: undefined, body: {}, params: [],
    corsHeaders: {}, overrideHeaders: {}, echoKey: false, closed: false,
  };
  res.on('close', () => { ctx.closed = true; });
  await handleProviderRequest(ctx);
}

// ---------------------------------------------------------------------------------------------------------------
// Control API for rigs that cannot call the JavaScript object (shell scripts, PHP): JSON under /_fake/.
// Not recorded. GET /_fake/requests[?provider=id], POST /_fake/reset, POST /_fake/keys {key, status?, models?},
// POST /_fake/next-response {provider, ...override}, POST /_fake/stream-delay {ms}.

function handleControl(/** @type {FakeProvider} */ fake,
  /** @type {{ method: string, path: string, query: string, rawBody: string }} */ { method, path, query, rawBody },
  /** @type {http.ServerResponse} */ res) {
  const reply = (/** @type {number} */ status, /** @type {unknown} */ body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const route = path;
  /** @type {any} */
  let body = {};
  try { body = rawBody ? JSON.parse(rawBody) : {}; } catch { return reply(400, { error: 'body is not JSON' }); }
  try {
    if (method === 'GET' && route === '/requests') {
      const provider = new URLSearchParams(query).get('provider');
      return reply(200, fake.requests.filter((r) => !provider || r.provider === provider));
    }
    if (method === 'POST' && route === '/reset') fake.reset();
    else if (method === 'POST' && route === '/keys') fake.addKey(body.key, body);
    else if (method === 'POST' && route === '/next-response') fake.nextResponse(body.provider, body);
    else if (method === 'POST' && route === '/stream-delay') fake.setStreamDelay(body.ms);
    else return reply(404, { error: `no control route ${method} /_fake${route}` });
    return reply(200, { ok: true });
  } catch (err) {
    return reply(400, { error: String(/** @type {Error} */ (err).message) });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile upstream modes (used by the proxy's tests): redirects, and the key echoed in headers and in spellings
// a redactor must see through. Kept in this region so the fake's other users are not affected.

/**
 * Every '{{key}}' replaced by the key, and every '{{key:<spelling>}}' by the key spelled that way:
 * json-unicode (every character as \uXXXX, upper-case hex), json-unicode-lower, percent (every character as
 * %xx, lower-case hex), url (encodeURIComponent), base64, basic (base64 of 'user:<key>').
 * @param {string} text
 * @param {string} key
 */
export function spellKeys(text, key) {
  const each = (/** @type {(c: string) => string} */ spell) => [...key].map(spell).join('');
  const hex = (/** @type {string} */ c, /** @type {number} */ digits) => c.charCodeAt(0).toString(16).padStart(digits, '0');
  /** @type {Record<string, () => string>} */
  const spellings = {
    'json-unicode': () => each((c) => `\\u${hex(c, 4).toUpperCase()}`),
    'json-unicode-lower': () => each((c) => `\\u${hex(c, 4)}`),
    percent: () => each((c) => `%${hex(c, 2)}`),
    url: () => encodeURIComponent(key),
    base64: () => Buffer.from(key).toString('base64'),
    basic: () => Buffer.from(`user:${key}`).toString('base64'),
  };
  return text.replaceAll('{{key}}', key).replace(/\{\{key:([\w-]+)\}\}/g, (match, name) => spellings[name]?.() ?? match);
}

/** The override's headers with the key spelled into them (see spellKeys). */
function hostileHeaders(/** @type {Record<string, string> | undefined} */ headers, /** @type {string} */ key) {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, spellKeys(value, key)]));
}

/** A redirect, as a compromised or misconfigured upstream (or a captive portal in between) might answer. */
function hostileRedirect(/** @type {Ctx} */ ctx, /** @type {ResponseOverride} */ o) {
  if (writeHead(ctx, o.status ?? 307, { location: String(o.redirectTo), 'content-length': '0' })) ctx.res.end();
  return true;
}
