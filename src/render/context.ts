import type { Answers } from '../answers.js';
import { findPattern, type PatternDefinition } from '../patterns/index.js';
import { deriveNames, type ProjectNames } from '../project/names.js';
import { findProvider, type ProviderDefinition } from '../providers/index.js';

/** A chosen provider as templates see it: the catalog entry plus the answers that concern it. */
export interface ProviderView extends ProviderDefinition {
  /** Default model for this project. */
  model: string;
  /** Origin calls go to: the official one, or the `--base-url` given (scheme, host, port, optional prefix). */
  baseUrl: string;
  /** True when `--base-url` replaced the official origin. */
  customBaseUrl: boolean;
  /** Upper-case id for environment and constant names (`UPSTREAM_ANTHROPIC_URL`). */
  envName: string;
  /** True for the first provider: the generated app's default. */
  isDefault: boolean;
  /** `{anthropic: true}` style flags for `{{#if family.anthropic}}`. */
  is: Record<'anthropic' | 'openai' | 'google', boolean>;
  /**
   * What the provider's official SDK appends to the origin in its base URL: the OpenAI-style API prefix
   * (`/v1`, `/openai/v1`, `/api/v1`, or '' for DeepSeek); '' for Anthropic and Google, whose SDKs add the
   * version themselves. A proxy's SDK base URL is `<proxy>/<id><sdkBasePath>`.
   */
  sdkBasePath: string;
}

/**
 * What every pattern's templates see. A pattern adds its own values through `templateContext` in its module
 * (src/patterns/<id>.ts); the browser page's `separateModelList` is one.
 */
export interface RenderContext extends ProjectNames {
  pattern: string;
  providers: ProviderView[];
  defaultProvider: ProviderView;
  multipleProviders: boolean;
  /** The chosen providers' labels as prose: `Anthropic`, `Anthropic and OpenAI`, `Anthropic, OpenAI and Google Gemini`. */
  providerNames: string;
  /** Which wire formats the chosen providers use, so templates include each family's code once or not at all. */
  families: Record<'anthropic' | 'openai' | 'google', boolean>;
  /**
   * Every pattern option, keyed as in `Answers.options` (`options.storage` is `'encrypted'`), plus one flag per
   * choice for `{{#if}}` (`options.storage_encrypted` is true).
   */
  options: Record<string, string | boolean>;
  /** Key shapes of the chosen providers (regex sources): the redactors' last net. */
  keyPatterns: string[];
  generator: { name: string; version: string };
}

export function buildContext(answers: Answers, generator: { name: string; version: string }): RenderContext {
  const pattern = findPattern(answers.pattern);
  if (!pattern) throw new Error(`Unknown pattern ${answers.pattern}`);
  const providers = answers.providers.map((id, index): ProviderView => {
    const provider = findProvider(id);
    if (!provider) throw new Error(`Unknown provider ${id}`);
    const baseUrl = answers.baseUrls[id];
    return {
      ...provider,
      model: answers.models[id] ?? provider.models.default,
      baseUrl: baseUrl ?? provider.origin,
      customBaseUrl: baseUrl !== undefined,
      envName: id.toUpperCase(),
      isDefault: index === 0,
      is: {
        anthropic: provider.family === 'anthropic',
        openai: provider.family === 'openai',
        google: provider.family === 'google',
      },
      sdkBasePath: provider.family === 'openai' ? provider.chat.path.replace(/\/chat\/completions$/, '') : '',
    };
  });
  const defaultProvider = providers[0];
  if (!defaultProvider) throw new Error('At least one provider is required');

  const options: Record<string, string | boolean> = {};
  for (const option of pattern.options) {
    const value = answers.options[option.key] ?? option.default;
    options[option.key] = value;
    for (const choice of option.choices) options[`${option.key}_${choice.value}`] = choice.value === value;
  }

  const shared: RenderContext = {
    ...deriveNames(answers.name),
    pattern: pattern.id,
    providers,
    defaultProvider,
    multipleProviders: providers.length > 1,
    providerNames: proseList(providers.map((provider) => provider.label)),
    families: {
      anthropic: providers.some((provider) => provider.family === 'anthropic'),
      openai: providers.some((provider) => provider.family === 'openai'),
      google: providers.some((provider) => provider.family === 'google'),
    },
    options,
    keyPatterns: providers.flatMap((provider) => (provider.keyPattern ? [provider.keyPattern] : [])),
    generator,
  };
  return { ...shared, ...patternContext(pattern, shared) };
}

/** What the pattern's own module adds for its templates; a name that would shadow a shared value is a bug. */
function patternContext(pattern: PatternDefinition, shared: RenderContext): Record<string, unknown> {
  const extra = pattern.templateContext?.(shared) ?? {};
  const clash = Object.keys(extra).find((key) => key in shared);
  if (clash) throw new Error(`Pattern ${pattern.id} sets template value ${clash}, which the shared context already has`);
  return extra;
}

function proseList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
