import type { Answers } from '../answers.js';
import { UsageError } from '../errors.js';
import { allPatternOptions, type PatternDefinition } from '../patterns/index.js';
import { findProvider, PROVIDER_IDS } from '../providers/index.js';
import { checkProviderFlags, parseBaseUrls, parseModels } from './flags.js';
import type { Prompter } from './prompts.js';

/**
 * The answers given on the command line, validated (cli/flags.ts). Anything absent is not given. Create and
 * update share the shape; only update has something to undo (`--base-url <id>=official`).
 */
export interface AnswerFlags {
  providers?: string[];
  models: Record<string, string>;
  baseUrls: Record<string, string>;
  /** Providers whose base URL goes back to the official origin. */
  officialBaseUrls: string[];
  options: Record<string, string>;
}

/** A question the resolver may put to the user: the providers, the models, the base URLs, or one option by key. */
export type Topic = 'providers' | 'models' | 'baseUrls' | `option:${string}`;

export interface AnswerSources {
  pattern: PatternDefinition;
  /** Display name, already settled (create asks for the directory first; update keeps the recorded one). */
  name: string;
  flags: AnswerFlags;
  /** The answers byok.json records (update); absent for a new project. */
  recorded?: Answers;
  /** Asks the questions in `ask`; absent when nobody is there to answer. */
  prompter?: Prompter;
  /** What to ask the prompter for, when no flag gave it. */
  ask?: ReadonlySet<Topic>;
}

/** What `--yes` takes for a new project when no flag gives the providers. */
export const DEFAULT_PROVIDERS = ['anthropic'];

/**
 * One resolver for create and update, layered as copier layers answers: each answer is the flag if given, else
 * the prompt if that question is asked, else the recorded answer (update), else the default. Everything that
 * comes from byok.json is checked as strictly as a flag, since the file may have been edited by hand.
 */
export async function resolveAnswers(sources: AnswerSources): Promise<Answers> {
  const { pattern, flags, recorded, prompter } = sources;
  const asked = (topic: Topic) => Boolean(prompter && sources.ask?.has(topic));
  refuseForeignOptions(pattern, flags.options);

  const providers = flags.providers ?? (asked('providers') ? await askProviders(prompter!, recorded?.providers) : undefined) ?? recordedProviders(recorded) ?? DEFAULT_PROVIDERS;
  checkProviderFlags(
    { models: flags.models, baseUrls: { ...flags.baseUrls, ...Object.fromEntries(flags.officialBaseUrls.map((id) => [id, ''])) } },
    providers,
  );

  const models: Record<string, string> = {};
  for (const id of providers) {
    const fallback = recorded?.models[id] ?? findProvider(id)!.models.default;
    models[id] = flags.models[id] ?? (asked('models') ? await prompter!.model(id, fallback) : fallback);
  }
  const baseUrls: Record<string, string> = {};
  for (const id of providers) {
    const fallback = recorded?.baseUrls[id];
    let url: string | undefined;
    if (flags.officialBaseUrls.includes(id)) url = undefined;
    else if (flags.baseUrls[id] !== undefined) url = flags.baseUrls[id];
    else if (asked('baseUrls')) url = (await prompter!.baseUrl(id, fallback ?? '')) || undefined;
    else url = fallback;
    if (url !== undefined) baseUrls[id] = url;
  }

  const options: Record<string, string> = {};
  for (const option of pattern.options) {
    const given = flags.options[option.key];
    if (given !== undefined) options[option.key] = given;
    else if (asked(`option:${option.key}`)) options[option.key] = await prompter!.option(option, recorded?.options[option.key]);
    else options[option.key] = recordedOption(recorded, option) ?? option.default;
  }

  // Recorded and prompted values pass the same checks as flags.
  parseModels(Object.entries(models).map(([id, model]) => `${id}=${model}`));
  const normalized = parseBaseUrls(Object.entries(baseUrls).map(([id, url]) => `${id}=${url}`));
  return { name: sources.name, pattern: pattern.id, providers, models, baseUrls: normalized, options };
}

/** Which providers, then (for more than one) which comes first; the chosen order puts that one first. */
async function askProviders(prompter: Prompter, recorded: string[] | undefined): Promise<string[]> {
  const chosen = recorded ? await prompter.providers(recorded) : await prompter.providers();
  if (chosen.length === 1) return chosen;
  const current = recorded && chosen.includes(recorded[0]!) ? recorded[0]! : chosen[0]!;
  const first = recorded ? await prompter.defaultProvider(chosen, current) : await prompter.defaultProvider(chosen);
  return [first, ...chosen.filter((id) => id !== first)];
}

function recordedProviders(recorded: Answers | undefined): string[] | undefined {
  if (!recorded) return undefined;
  const unknown = recorded.providers.filter((id) => !findProvider(id));
  if (unknown.length > 0) {
    throw new UsageError(
      `byok.json names provider ${unknown.map((id) => `"${id}"`).join(', ')}, which this create-byok does not know. ` +
        `Choose again with --provider (valid providers: ${PROVIDER_IDS.join(', ')}).`,
    );
  }
  return recorded.providers;
}

function recordedOption(recorded: Answers | undefined, option: PatternDefinition['options'][number]): string | undefined {
  const value = recorded?.options[option.key];
  if (value === undefined) return undefined;
  const valid = option.choices.map((choice) => choice.value);
  if (!valid.includes(value)) {
    throw new UsageError(`byok.json records ${option.key} "${value}", which is not one of ${valid.join(', ')}. Choose again with --${option.flag}.`);
  }
  return value;
}

/** An option flag of another pattern (possible when the pattern was chosen at a prompt, after the flags). */
function refuseForeignOptions(pattern: PatternDefinition, given: Record<string, string>): void {
  for (const { pattern: owner, option } of allPatternOptions()) {
    // Patterns may share a flag (`--rate-limit-store`): it is foreign only when the chosen pattern lacks it.
    const shared = pattern.options.some((own) => own.key === option.key);
    if (owner.id !== pattern.id && !shared && given[option.key] !== undefined) {
      throw new UsageError(`--${option.flag} applies to the ${owner.id} pattern, not ${pattern.id}.`);
    }
  }
}
