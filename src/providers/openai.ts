import { openAiCompatible } from './openai-compatible.js';

export const openai = openAiCompatible({
  id: 'openai',
  label: 'OpenAI',
  origin: 'https://api.openai.com',
  apiPrefix: '/v1',
  defaultModel: 'gpt-5.4-mini',
  // The Responses API (and a stored response by id: retrieve, cancel, input items, input token counts),
  // embeddings, and the Batch and Files APIs (batch input and output files), which all act on the key's own
  // data. DELETE deletes a stored response or an uploaded file: what the key's owner put there through the proxy
  // and may want gone. The organisation's admin, billing and fine-tuning endpoints are left out.
  extraProxyPaths: [
    '/v1/responses',
    '/v1/responses/**',
    '/v1/embeddings',
    '/v1/batches',
    '/v1/batches/**',
    '/v1/files',
    '/v1/files/**',
  ],
  proxyDeletePaths: ['/v1/responses/*', '/v1/files/*'],
  keyPattern: 'sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}',
  keyPlaceholder: 'sk-…',
  cors: 'allowed',
  links: {
    keys: 'https://platform.openai.com/api-keys',
    terms: 'https://openai.com/policies/terms-of-use',
    privacy: 'https://openai.com/policies/privacy-policy',
    limits: 'https://platform.openai.com/settings/organization/limits',
  },
});
