import { COMMON_PROXY_HEADERS } from './headers.js';
import type { KeyCheckRule, ProviderDefinition } from './types.js';

/** What differs between OpenAI-compatible providers; everything else is OpenAI's shape. */
export interface OpenAiCompatibleOptions {
  id: string;
  label: string;
  origin: string;
  /** Path prefix of the OpenAI-style API (`/v1`, `/openai/v1`, `/api/v1`, or '' for DeepSeek). */
  apiPrefix: string;
  defaultModel: string;
  /** The key check when listing models proves nothing (public) or is not the cheapest call. */
  keyCheckPath?: string;
  extraProxyPaths?: string[];
  /** Paths DELETE is forwarded to (none unless given). */
  proxyDeletePaths?: string[];
  /** Request headers this provider reads besides OpenAI's (OpenRouter's app attribution). */
  extraProxyHeaders?: string[];
  /** Key-check answers that mean "invalid key" besides 401 (checked before the standard rules). */
  extraInvalidRules?: KeyCheckRule[];
  keyPattern: string | null;
  keyPlaceholder: string;
  cors: 'allowed' | 'unverified';
  failureHint?: string;
  links: ProviderDefinition['links'];
}

export function openAiCompatible(options: OpenAiCompatibleOptions): ProviderDefinition {
  const modelsPath = `${options.apiPrefix}/models`;
  const keyCheckPath = options.keyCheckPath ?? modelsPath;
  return {
    id: options.id,
    label: options.label,
    origin: options.origin,
    family: 'openai',
    auth: { header: 'authorization', scheme: 'Bearer' },
    headers: {},
    keyCheck: {
      method: 'GET',
      path: keyCheckPath,
      rules: [
        ...(options.extraInvalidRules ?? []),
        { status: 401, outcome: 'invalid' },
        { status: 403, outcome: 'forbidden' },
        { status: 429, outcome: 'rate-limited' },
      ],
    },
    models: {
      default: options.defaultModel,
      path: modelsPath,
      listField: 'data',
      idField: 'id',
      sameAsKeyCheck: keyCheckPath === modelsPath,
    },
    chat: { path: `${options.apiPrefix}/chat/completions` },
    proxyPaths: [
      `${options.apiPrefix}/chat/completions`,
      modelsPath,
      `${modelsPath}/*`,
      ...(keyCheckPath === modelsPath ? [] : [keyCheckPath]),
      ...(options.extraProxyPaths ?? []),
    ],
    proxyDeletePaths: options.proxyDeletePaths ?? [],
    // OpenAI's SDK sends the organisation and project a key acts for, and OpenAI-Beta for beta endpoints.
    proxyHeaders: [
      ...COMMON_PROXY_HEADERS,
      'openai-organization',
      'openai-project',
      'openai-beta',
      ...(options.extraProxyHeaders ?? []),
    ],
    keyPattern: options.keyPattern,
    keyPlaceholder: options.keyPlaceholder,
    browser: {
      cors: options.cors,
      headers: {},
      failureHint:
        options.failureHint ??
        `Check the network connection; if it persists, ${options.label} may not accept calls from web pages ` +
          '(CORS), and a server-side pattern is needed.',
    },
    links: options.links,
  };
}
