import { COMMON_PROXY_HEADERS } from './headers.js';
import type { ProviderDefinition } from './types.js';

export const anthropic: ProviderDefinition = {
  id: 'anthropic',
  label: 'Anthropic',
  origin: 'https://api.anthropic.com',
  family: 'anthropic',
  auth: {
    header: 'x-api-key',
    // The official TypeScript SDK (1.x) sends `Authorization: Bearer`; older clients send `x-api-key`.
    alsoAccepted: [{ header: 'authorization', scheme: 'Bearer' }],
  },
  headers: { 'anthropic-version': '2023-06-01' },
  keyCheck: {
    method: 'GET',
    path: '/v1/models',
    rules: [
      { status: 401, outcome: 'invalid' },
      { status: 403, outcome: 'forbidden' },
      { status: 429, outcome: 'rate-limited' },
    ],
  },
  models: {
    default: 'claude-haiku-4-5',
    path: '/v1/models',
    listField: 'data',
    idField: 'id',
    sameAsKeyCheck: true,
  },
  chat: { path: '/v1/messages' },
  // Messages, token counting, the Message Batches API (half price, results by id) and the Files API (beta),
  // which all act on the key's own data; DELETE removes a finished batch or an uploaded file. Admin and
  // organisation endpoints (/v1/organizations/...) are left out: they need an admin key, and an app has no
  // business reaching them with its users' keys.
  proxyPaths: [
    '/v1/messages',
    '/v1/messages/count_tokens',
    '/v1/messages/batches',
    '/v1/messages/batches/**',
    '/v1/models',
    '/v1/models/*',
    '/v1/files',
    '/v1/files/**',
  ],
  proxyDeletePaths: ['/v1/messages/batches/*', '/v1/files/*'],
  // anthropic-beta switches on features such as the Files API; anthropic-dangerous-direct-browser-access is
  // not forwarded: the proxy answers browsers' CORS itself, and the provider never sees their Origin.
  proxyHeaders: [...COMMON_PROXY_HEADERS, 'anthropic-version', 'anthropic-beta'],
  keyPattern: 'sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{20,}',
  keyPlaceholder: 'sk-ant-…',
  browser: {
    cors: 'allowed',
    headers: { 'anthropic-dangerous-direct-browser-access': 'true' },
    failureHint:
      'Anthropic answers browsers only when the request opts in to direct browser access (the header ' +
      '`anthropic-dangerous-direct-browser-access: true`, which this app sends), and an organisation admin can ' +
      'switch that off for its keys. If this keeps failing, check the network, then ask your organisation admin ' +
      'whether browser access is allowed.',
  },
  links: {
    keys: 'https://platform.claude.com/settings/keys',
    terms: 'https://www.anthropic.com/legal/commercial-terms',
    privacy: 'https://www.anthropic.com/legal/privacy',
    limits: 'https://console.anthropic.com/settings/limits',
  },
};
