import { openAiCompatible } from './openai-compatible.js';

export const openai = openAiCompatible({
  id: 'openai',
  label: 'OpenAI',
  origin: 'https://api.openai.com',
  apiPrefix: '/v1',
  defaultModel: 'gpt-5.4-mini',
  extraProxyPaths: ['/v1/responses', '/v1/embeddings'],
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
