import { openAiCompatible } from './openai-compatible.js';

export const deepseek = openAiCompatible({
  id: 'deepseek',
  label: 'DeepSeek',
  origin: 'https://api.deepseek.com',
  // DeepSeek serves the OpenAI shapes at the root: /chat/completions, /models.
  apiPrefix: '',
  defaultModel: 'deepseek-chat',
  keyCheckPath: '/user/balance',
  // `sk-` + 32 lower-case alphanumerics collides with legacy OpenAI keys: the user picks the provider; the
  // generated code never guesses it from the prefix.
  keyPattern: 'sk-[a-z0-9]{32}',
  keyPlaceholder: 'sk-…',
  cors: 'unverified',
  links: {
    keys: 'https://platform.deepseek.com/api_keys',
    terms: 'https://cdn.deepseek.com/policies/en-US/deepseek-open-platform-terms-of-service.html',
    privacy: 'https://cdn.deepseek.com/policies/en-US/deepseek-privacy-policy.html',
    limits: 'https://platform.deepseek.com/usage',
  },
});
