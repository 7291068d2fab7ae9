import { openAiCompatible } from './openai-compatible.js';

export const xai = openAiCompatible({
  id: 'xai',
  label: 'xAI',
  origin: 'https://api.x.ai',
  apiPrefix: '/v1',
  defaultModel: 'grok-3-mini',
  keyCheckPath: '/v1/api-key',
  // xAI answers a wrong key with 400 ("Incorrect API key provided"), not 401.
  extraInvalidRules: [{ status: 400, bodyIncludes: 'Incorrect API key', outcome: 'invalid' }],
  keyPattern: 'xai-[A-Za-z0-9]{20,}',
  keyPlaceholder: 'xai-…',
  cors: 'unverified',
  links: {
    keys: 'https://console.x.ai',
    terms: 'https://x.ai/legal/terms-of-service',
    privacy: 'https://x.ai/legal/privacy-policy',
    limits: 'https://console.x.ai',
  },
});
