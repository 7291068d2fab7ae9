import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Answers } from '../answers.js';
import { CancelledError, UsageError } from '../errors.js';
import { findPattern, PATTERN_IDS, PATTERNS, type PatternDefinition, type PatternId } from '../patterns/index.js';
import { deriveNames, type ProjectNames } from '../project/names.js';
import { shellQuote } from '../project/shell.js';
import { checkTarget, describeEntries, inspectTarget } from '../project/target.js';
import { findProvider } from '../providers/index.js';
import { DEFAULT_PROVIDERS, resolveAnswers, type Topic } from './answers.js';
import type { ParsedFlags } from './flags.js';
import { displayPath } from './io.js';
import type { Prompter } from './prompts.js';

export { shellQuote };

/** What --yes takes for what is not given; the default pattern is the first registered one. */
export const DEFAULTS = { directory: 'byok-app', pattern: PATTERNS[0].id as PatternId, providers: DEFAULT_PROVIDERS };

export interface ResolvedCreate {
  /** Absolute directory the project is written to. */
  targetDir: string;
  answers: Answers;
  names: ProjectNames;
  /** Whether files may be written beside existing ones (--force, or chosen at the prompt). */
  force: boolean;
  /** The directory as the user gave it (argument or answer), for the command line that repeats the run. */
  directoryAnswer: string;
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

  if (dirArgument !== undefined && dirArgument.trim() === '') throw new UsageError('The project directory cannot be empty.');
  // The directory is settled before any further question: nobody should answer five prompts to hear it is taken.
  // Without a person to ask, a taken or unusable one fails at once (exit 2). With one, an answer that cannot be
  // used is asked again with the reason, and a non-empty folder offers the choices (another / beside / cancel).
  let directory = dirArgument;
  let patternId = flags.pattern;
  let force = context.force;
  let reason: string | undefined;
  const shown = (dir: string) => displayPath(context.cwd, dir);
  /** For a person: whether `dir` can be used now, after asking what to do with a taken one. */
  const settle = async (dir: string): Promise<boolean> => {
    const state = inspectTarget(dir);
    if (state.kind === 'free' || (state.kind === 'taken' && force)) return true;
    if (state.kind === 'unusable') {
      reason = `${shown(dir)} cannot be used: ${state.reason}.`;
      return false;
    }
    const choice = await prompter!.takenDirectory(shown(dir), describeEntries(state.entries), state.project);
    if (choice === 'beside') force = true;
    if (choice === 'cancel') {
      throw new CancelledError(
        state.project ? `Cancelled. To change the project and keep your edits: ${['npx', 'create-byok', 'update', shown(dir)].map(shellQuote).join(' ')}` : 'Cancelled',
      );
    }
    return choice === 'beside';
  };
  const answerProblem = (answer: string): string | undefined => {
    const state = inspectTarget(path.resolve(context.cwd, answer));
    return state.kind === 'unusable' ? `${answer} cannot be used: ${state.reason}.` : undefined;
  };

  let pattern: PatternDefinition;
  let name: string;
  let names: ProjectNames;
  let targetDir: string;
  for (;;) {
    directory ??= prompter ? await prompter.directory(DEFAULTS.directory, answerProblem, reason) : DEFAULTS.directory;
    reason = undefined;
    const given = path.resolve(context.cwd, directory);
    // A folder that exists is used as it is whatever the pattern: settle it before asking where the app runs.
    if (prompter && existsSync(given) && !(await settle(given))) {
      directory = undefined;
      continue;
    }
    patternId ??= prompter ? await prompter.pattern() : DEFAULTS.pattern;
    pattern = findPattern(patternId) as PatternDefinition;
    name = flags.name ?? (path.basename(given) || DEFAULTS.directory);
    names = deriveNames(name);
    targetDir = targetFor(given, pattern, names.slug, flags.name !== undefined);
    if (!prompter) {
      checkTarget(targetDir, force);
      break;
    }
    if (targetDir === given && existsSync(given)) break;
    if (await settle(targetDir)) break;
    directory = undefined;
  }

  // Then the rest, layered as update layers them (cli/answers.ts): flag, else prompt, else default.
  const topics: Topic[] = ['providers', ...pattern.options.map((option) => `option:${option.key}` as const)];
  const answers = await resolveAnswers({
    pattern,
    name,
    flags: { ...flags, officialBaseUrls: [] },
    prompter,
    ask: new Set(topics),
  });

  return { targetDir, names, answers, force, directoryAnswer: directory };
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
  if (resolved.force) parts.push('--force');
  parts.push('--yes');
  return parts.map(shellQuote).join(' ');
}
