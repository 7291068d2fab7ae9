import { openAiCompatible } from './openai-compatible.js';

export const groq = openAiCompatible({
  id: 'groq',
  label: 'Groq',
  origin: 'https://api.groq.com',
  apiPrefix: '/openai/v1',
  defaultModel: 'llama-3.3-70b-versatile',
  keyPattern: 'gsk_[A-Za-z0-9]{20,}',
  keyPlaceholder: 'gsk_…',
  cors: 'unverified',
  links: {
    keys: 'https://console.groq.com/keys',
    terms: 'https://groq.com/terms-of-use',
    privacy: 'https://groq.com/privacy-policy',
    limits: 'https://console.groq.com/settings/billing',
  },
});
