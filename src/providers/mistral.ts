import { openAiCompatible } from './openai-compatible.js';

export const mistral = openAiCompatible({
  id: 'mistral',
  label: 'Mistral',
  origin: 'https://api.mistral.ai',
  apiPrefix: '/v1',
  defaultModel: 'mistral-small-latest',
  // Chat, models and embeddings (documented on the same OpenAI-style API); agents, fine-tuning and files
  // are left out.
  extraProxyPaths: ['/v1/embeddings'],
  // Mistral keys are 32 plain alphanumerics: no pattern can tell them apart, so redaction relies on the
  // key in hand (by value) alone.
  keyPattern: null,
  keyPlaceholder: '',
  cors: 'allowed',
  links: {
    keys: 'https://console.mistral.ai/api-keys',
    terms: 'https://mistral.ai/terms',
    privacy: 'https://mistral.ai/terms#privacy-policy',
    limits: 'https://admin.mistral.ai/organization/billing',
  },
});
