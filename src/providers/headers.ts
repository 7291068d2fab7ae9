/**
 * Request headers every provider's proxy route forwards: the body's type and length, what the client accepts,
 * and what the Stainless-generated SDKs (OpenAI's, Anthropic's and most OpenAI-compatible ones) send about
 * themselves and their retries. Providers add their own (./anthropic.ts, ./openai-compatible.ts, ./google.ts).
 */
export const COMMON_PROXY_HEADERS = [
  'content-type',
  'content-length',
  'accept',
  'accept-encoding',
  'user-agent',
  'idempotency-key',
  'x-stainless-*',
];
