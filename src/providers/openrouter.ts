import { openAiCompatible } from './openai-compatible.js';

export const openrouter = openAiCompatible({
  id: 'openrouter',
  label: 'OpenRouter',
  origin: 'https://openrouter.ai',
  apiPrefix: '/api/v1',
  defaultModel: 'openrouter/auto',
  // `/api/v1/models` is public, so it proves nothing about a key; `/api/v1/key` describes the key itself.
  keyCheckPath: '/api/v1/key',
  // OpenRouter reads these to credit the app that sent a request in its rankings (optional).
  extraProxyHeaders: ['http-referer', 'x-title'],
  keyPattern: 'sk-or-v1-[a-f0-9]{32,}',
  keyPlaceholder: 'sk-or-v1-…',
  cors: 'allowed',
  links: {
    keys: 'https://openrouter.ai/settings/keys',
    terms: 'https://openrouter.ai/terms',
    privacy: 'https://openrouter.ai/privacy',
    limits: 'https://openrouter.ai/settings/keys',
  },
});
