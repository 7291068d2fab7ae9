import { anthropic } from './anthropic.js';
import { deepseek } from './deepseek.js';
import { google } from './google.js';
import { groq } from './groq.js';
import { mistral } from './mistral.js';
import { openai } from './openai.js';
import { openrouter } from './openrouter.js';
import type { ProviderDefinition } from './types.js';
import { xai } from './xai.js';

export type { ApiFamily, KeyCheckOutcome, KeyCheckRule, ProviderDefinition } from './types.js';

/** Every provider the generator knows, in the order prompts list them. */
export const PROVIDERS: readonly ProviderDefinition[] = [anthropic, openai, google, mistral, groq, openrouter, xai, deepseek];

export const PROVIDER_IDS: readonly string[] = PROVIDERS.map((provider) => provider.id);

export function findProvider(id: string): ProviderDefinition | undefined {
  return PROVIDERS.find((provider) => provider.id === id);
}
