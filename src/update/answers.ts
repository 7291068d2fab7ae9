import type { Answers } from '../answers.js';
import type { AnswerFlags } from '../cli/answers.js';
import { parseBaseUrls, parseModels, parsePatternOptions, parseProviders } from '../cli/flags.js';
import { UsageError } from '../errors.js';
import type { PatternDefinition } from '../patterns/index.js';
import { findProvider, PROVIDER_IDS } from '../providers/index.js';

/** What the user asked to change on the command line; anything absent keeps its recorded value. */
export type AnswerChanges = AnswerFlags;

export function hasChanges(changes: AnswerChanges): boolean {
  return (
    Boolean(changes.providers) ||
    changes.officialBaseUrls.length > 0 ||
    [changes.models, changes.baseUrls, changes.options].some((values) => Object.keys(values).length > 0)
  );
}

/**
 * Validates the answer flags of `update` with the same rules as `create`. A flag of another pattern is refused:
 * changing the pattern is a new project, not an update.
 */
export function parseChanges(flags: Record<string, unknown>, pattern: PatternDefinition): AnswerChanges {
  if (typeof flags.pattern === 'string' && flags.pattern.trim().toLowerCase() !== pattern.id) {
    throw new UsageError(
      `This is a ${pattern.id} project; update cannot change the pattern to ${flags.pattern}: that is a new project. ` +
        `Create it with npx create-byok <dir> --pattern ${flags.pattern} and move your code over.`,
    );
  }
  // `--base-url <id>=official` undoes an earlier --base-url (create has nothing to undo, so only update takes it).
  const baseUrlEntries = (flags.baseUrl as string[] | undefined) ?? [];
  const official = (entry: string) => /^[^=]+=\s*official\s*$/i.test(entry);
  const changes: AnswerChanges = {
    providers: flags.provider !== undefined ? parseProviders(flags.provider as string[]) : undefined,
    models: parseModels((flags.model as string[] | undefined) ?? []),
    baseUrls: parseBaseUrls(baseUrlEntries.filter((entry) => !official(entry))),
    officialBaseUrls: baseUrlEntries.filter(official).map((entry) => entry.slice(0, entry.indexOf('=')).trim().toLowerCase()),
    options: {},
  };
  for (const id of changes.officialBaseUrls) {
    if (!findProvider(id)) throw new UsageError(`--base-url names unknown provider "${id}". Valid providers: ${PROVIDER_IDS.join(', ')}.`);
    if (changes.baseUrls[id]) throw new UsageError(`--base-url is given twice for ${id}.`);
  }
  changes.options = parsePatternOptions(
    flags,
    pattern.id,
    (flag, owner) =>
      `--${flag} applies to the ${owner} pattern, and this is a ${pattern.id} project. update cannot ` +
      `change the pattern: that is a new project (npx create-byok <dir> --pattern ${owner}).`,
  );
  return changes;
}

/** One line per answer that differs, for the summary ("providers: anthropic -> anthropic, openai"). */
export function describeChanges(before: Answers, after: Answers): string[] {
  const lines: string[] = [];
  const list = (ids: string[]) => ids.join(', ');
  if (list(before.providers) !== list(after.providers)) lines.push(`providers: ${list(before.providers)} -> ${list(after.providers)}`);
  for (const id of after.providers) {
    if (before.models[id] !== undefined && before.models[id] !== after.models[id]) lines.push(`${id} model: ${before.models[id]} -> ${after.models[id]}`);
    if (before.baseUrls[id] !== after.baseUrls[id]) {
      const official = `official (${findProvider(id)!.origin})`;
      lines.push(`${id} base URL: ${before.baseUrls[id] ?? official} -> ${after.baseUrls[id] ?? official}`);
    }
  }
  for (const [key, value] of Object.entries(after.options)) {
    if (before.options[key] !== value) lines.push(`${key}: ${before.options[key] ?? '(not set)'} -> ${value}`);
  }
  return lines;
}
