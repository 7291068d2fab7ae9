import { COMMON_PROXY_HEADERS } from './headers.js';
import type { ProviderDefinition } from './types.js';

export const google: ProviderDefinition = {
  id: 'google',
  label: 'Google Gemini',
  origin: 'https://generativelanguage.googleapis.com',
  family: 'google',
  // The API also accepts `?key=`, but URLs end up in logs, browser history and referrers: header only.
  auth: { header: 'x-goog-api-key' },
  headers: {},
  keyCheck: {
    method: 'GET',
    path: '/v1beta/models',
    rules: [
      // Google answers a bad key with 400 INVALID_ARGUMENT; other 400s are not about the key.
      { status: 400, bodyIncludes: 'API_KEY_INVALID', outcome: 'invalid' },
      { status: 401, outcome: 'invalid' },
      { status: 403, outcome: 'forbidden' },
      { status: 429, outcome: 'rate-limited' },
    ],
  },
  models: {
    default: 'gemini-flash-latest',
    path: '/v1beta/models',
    listField: 'models',
    idField: 'name',
    stripPrefix: 'models/',
    sameAsKeyCheck: true,
  },
  chat: {
    path: '/v1beta/models/{model}:generateContent',
    streamPath: '/v1beta/models/{model}:streamGenerateContent?alt=sse',
  },
  proxyPaths: [
    '/v1beta/models',
    '/v1beta/models/*',
    '/v1beta/models/*:generateContent',
    '/v1beta/models/*:streamGenerateContent',
    '/v1beta/models/*:countTokens',
    '/v1beta/models/*:embedContent',
    '/v1beta/models/*:batchEmbedContents',
  ],
  proxyDeletePaths: [],
  // Files (and the batch mode that reads its input from them) are left out: uploads use Google's resumable
  // protocol, whose answer names an upload URL on Google's own host that the SDK then calls directly, around
  // the proxy.
  // x-goog-api-client names the SDK; x-server-timeout tells the API how long the client will wait.
  proxyHeaders: [...COMMON_PROXY_HEADERS, 'x-goog-api-client', 'x-server-timeout'],
  // Two formats: standard keys (`AIza` + 35) and the authorization keys AI Studio creates by default since 2026
  // (`AQ.` + URL-safe characters; Google names the prefix, not the length or alphabet, so the net is wide).
  keyPattern: '(?:AIza[0-9A-Za-z_-]{35}|AQ\\.[0-9A-Za-z_-]{20,})',
  keyPlaceholder: 'AIza…',
  browser: {
    cors: 'allowed',
    headers: {},
    failureHint:
      'Check the network connection, and that the key is not restricted to other websites (HTTP referrer ' +
      'restrictions) in the Google Cloud console.',
  },
  links: {
    keys: 'https://aistudio.google.com/app/apikey',
    terms: 'https://ai.google.dev/gemini-api/terms',
    privacy: 'https://policies.google.com/privacy',
    limits: 'https://console.cloud.google.com/billing/budgets',
  },
};
