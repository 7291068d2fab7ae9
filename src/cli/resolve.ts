import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Answers } from '../answers.js';
import { UsageError } from '../errors.js';
import { findPattern, PATTERN_IDS, PATTERNS, type PatternDefinition, type PatternId } from '../patterns/index.js';
import { deriveNames, type ProjectNames } from '../project/names.js';
import { shellQuote } from '../project/shell.js';
import { checkTarget } from '../project/target.js';
import { findProvider } from '../providers/index.js';
import { DEFAULT_PROVIDERS, resolveAnswers, type Topic } from './answers.js';
import type { ParsedFlags } from './flags.js';
import type { Prompter } from './prompts.js';

export { shellQuote };

/** What --yes takes for what is not given; the default pattern is the first registered one. */
export const DEFAULTS = { directory: 'byok-app', pattern: PATTERNS[0].id as PatternId, providers: DEFAULT_PROVIDERS };

export interface ResolvedCreate {
  /** Absolute directory the project is written to. */
  targetDir: string;
  answers: Answers;
  names: ProjectNames;
}

/**
 * How each choice is made, the same way for every step: the flag if given, else a prompt if a person is there,
 * else the default with --yes, else it is missing (and the run fails at once naming the flags, instead of
 * rendering a prompt into a pipe and waiting forever).
 */
type Source = { kind: 'prompt' } | { kind: 'yes' } | { kind: 'none' };

export async function resolveCreate(
  dirArgument: string | undefined,
  flags: ParsedFlags,
  context: { cwd: string; yes: boolean; force: boolean; prompter?: Prompter },
): Promise<ResolvedCreate> {
  const { prompter } = context;
  const source: Source = prompter ? { kind: 'prompt' } : context.yes ? { kind: 'yes' } : { kind: 'none' };

  if (source.kind === 'none') {
    const missing = [
      dirArgument === undefined ? '[dir]' : '',
      flags.pattern === undefined ? `--pattern <${PATTERN_IDS.join('|')}>` : '',
      flags.providers === undefined ? '--provider <ids>' : '',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new UsageError(
        `Missing ${missing.join(', ')}. There is no terminal to ask in (or CI is set): pass them, or --yes to take the defaults.`,
      );
    }
  }

  const directory = dirArgument ?? (prompter ? await prompter.directory(DEFAULTS.directory) : DEFAULTS.directory);
  if (directory.trim() === '') throw new UsageError('The project directory cannot be empty.');
  const patternId = flags.pattern ?? (prompter ? await prompter.pattern() : DEFAULTS.pattern);
  const pattern = findPattern(patternId) as PatternDefinition;
  const given = path.resolve(context.cwd, directory);
  // The display name (and the slug) are known before any further question, so is the directory, which is refused
  // here if taken: nobody should answer five prompts to hear that.
  const name = flags.name ?? (path.basename(given) || DEFAULTS.directory);
  const names = deriveNames(name);
  const targetDir = targetFor(given, pattern, names.slug, flags.name !== undefined);
  checkTarget(targetDir, context.force);

  // Then the rest, layered as update layers them (cli/answers.ts): flag, else prompt, else default.
  const topics: Topic[] = ['providers', ...pattern.options.map((option) => `option:${option.key}` as const)];
  const answers = await resolveAnswers({
    pattern,
    name,
    flags: { ...flags, officialBaseUrls: [] },
    prompter,
    ask: new Set(topics),
  });

  return { targetDir, names, answers };
}

/**
 * The directory a project is written to: the one given, except that when the directory is also the name (no
 * --name), a pattern whose folder is named by its slug (a WordPress plugin: `Acme Helper` -> `acme-helper/`) goes
 * there. A directory the user named apart from the name, or one that exists (`.`), is used as given.
 */
function targetFor(given: string, pattern: PatternDefinition, slug: string, named: boolean): string {
  if (!pattern.folderIsSlug || named || existsSync(given)) return given;
  return path.join(path.dirname(given), slug);
}


/** The command line that repeats this run without prompts (printed so CI can copy it). */
export function equivalentCommand(
  resolved: ResolvedCreate,
  directoryAsGiven: string,
  extra: { install: boolean; git: boolean },
): string {
  const { answers } = resolved;
  const pattern = findPattern(answers.pattern)!;
  const parts = ['npx', 'create-byok', directoryAsGiven, '--pattern', answers.pattern, '--provider', answers.providers.join(',')];
  if (answers.name !== path.basename(path.resolve(directoryAsGiven))) parts.push('--name', answers.name);
  for (const id of answers.providers) {
    if (answers.models[id] !== findProvider(id)!.models.default) parts.push('--model', `${id}=${answers.models[id]}`);
  }
  for (const [id, url] of Object.entries(answers.baseUrls)) parts.push('--base-url', `${id}=${url}`);
  for (const option of pattern.options) parts.push(`--${option.flag}`, answers.options[option.key]!);
  if (!extra.install) parts.push('--no-install');
  if (!extra.git) parts.push('--no-git');
  parts.push('--yes');
  return parts.map(shellQuote).join(' ');
}
