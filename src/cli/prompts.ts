import * as clack from '@clack/prompts';
import { CancelledError } from '../errors.js';
import type { Answers } from '../answers.js';
import { PATTERNS, type PatternDefinition, type PatternId, type PatternOption } from '../patterns/index.js';
import { PROVIDERS, findProvider } from '../providers/index.js';
import type { Topic } from './answers.js';
import { normalizeBaseUrl, parseModels } from './flags.js';
import type { Io } from './io.js';

/**
 * The questions, one function each, all with clack's streams injected (tests drive them without a terminal).
 * Ctrl-C or Escape at any prompt throws CancelledError before anything is written.
 */
export interface Prompter {
  /**
   * The project directory, asked again until `check` (given the answer) finds nothing wrong with it; `reason` says
   * why an earlier answer (or the [dir] argument) cannot be used.
   */
  directory(initial: string, check?: (answer: string) => string | undefined, reason?: string): Promise<string>;
  /** The directory holds files: write somewhere else, beside them, or stop. `project`: it holds a byok.json. */
  takenDirectory(shown: string, entries: string, project: boolean): Promise<'another' | 'beside' | 'cancel'>;
  pattern(): Promise<PatternId>;
  /** `initial`: the providers ticked to start with (update starts from the recorded ones). */
  providers(initial?: string[]): Promise<string[]>;
  defaultProvider(ids: string[], initial?: string): Promise<string>;
  option(option: PatternOption, initial?: string): Promise<string>;
  confirm(summary: string): Promise<void>;
  /** update: what to change, as topics of the answer resolver (cli/answers.ts); none regenerates as is. */
  topics(recorded: Answers, pattern: PatternDefinition): Promise<Topic[]>;
  /** update: a provider's default model, starting from `initial`. */
  model(id: string, initial: string): Promise<string>;
  /** update: a provider's base URL, starting from `initial`; '' means the official origin. */
  baseUrl(id: string, initial: string): Promise<string>;
  /** update: the last question before writing (`Write 3 changes?`). */
  proceed(message: string): Promise<void>;
}

export function answered<T>(value: T): Exclude<T, symbol> {
  if (clack.isCancel(value)) throw new CancelledError();
  return value as Exclude<T, symbol>;
}

export function createPrompter(io: Io, output = io.stdout): Prompter {
  const streams = { input: io.stdin, output };
  return {
    async directory(initial, check, reason) {
      if (reason) clack.log.warn(reason, { output });
      return answered(
        await clack.text({
          ...streams,
          message: 'Project directory',
          placeholder: initial,
          defaultValue: initial,
          // Said where the answer is typed, and asked again: like create-vite, not a failed run.
          validate: (value) => {
            const answer = value ?? '';
            if (answer !== '' && answer.trim() === '') return 'A directory name cannot be only spaces.';
            return check?.(answer.trim() || initial);
          },
        }),
      ).trim() || initial;
    },
    async takenDirectory(shown, entries, project) {
      const choice = answered(
        await clack.select<'another' | 'beside' | 'cancel'>({
          ...streams,
          message: project ? `${shown} already holds a create-byok project (byok.json). What now?` : `${shown} is not empty (it holds ${entries}). What now?`,
          options: [
            { value: 'another', label: 'Choose another directory' },
            ...(project
              ? []
              : [{ value: 'beside' as const, label: 'Write the project beside these files', hint: 'same-named files are overwritten; nothing is deleted' }]),
            // update is what changes a project and keeps its edits: said with the command to run.
            { value: 'cancel', label: project ? `Cancel, and change it with: npx create-byok update ${shown}` : 'Cancel' },
          ],
        }),
      );
      return choice;
    },
    async pattern() {
      return answered(
        await clack.select<PatternId>({
          ...streams,
          message: 'Where will this run?',
          options: PATTERNS.map((pattern) => ({ value: pattern.id, label: pattern.situation, hint: pattern.hint })),
        }),
      );
    },
    async providers(initial) {
      return answered(
        await clack.multiselect<string>({
          ...streams,
          message: 'Which providers will users bring keys for? (space to select)',
          options: PROVIDERS.map((provider) => ({ value: provider.id, label: provider.label, hint: provider.id })),
          initialValues: initial?.filter((id) => findProvider(id)),
          required: true,
        }),
      );
    },
    async defaultProvider(ids, initial) {
      return answered(
        await clack.select<string>({
          ...streams,
          message: 'Which one should the app offer first?',
          options: ids.map((id) => ({ value: id, label: findProvider(id)?.label ?? id })),
          initialValue: initial,
        }),
      );
    },
    async option(option, initial) {
      return answered(
        await clack.select<string>({
          ...streams,
          message: option.message,
          options: option.choices.map((choice) => ({ value: choice.value, label: choice.label, hint: choice.hint })),
          initialValue: initial ?? option.default,
        }),
      );
    },
    async confirm(summary) {
      clack.note(summary, 'Summary', { output });
      const go = answered(await clack.confirm({ ...streams, message: 'Create the project?', initialValue: true }));
      if (!go) throw new CancelledError();
    },
    async topics(recorded, pattern) {
      return answered(
        await clack.multiselect<Topic>({
          ...streams,
          message: 'What do you want to change? (space to select, enter with none to regenerate as is)',
          options: [
            { value: 'providers', label: 'Providers', hint: `now ${recorded.providers.join(', ')}` },
            { value: 'models', label: 'Default models', hint: recorded.providers.map((id) => recorded.models[id]).join(', ') },
            { value: 'baseUrls', label: 'Base URLs (gateways)', hint: Object.keys(recorded.baseUrls).length > 0 ? 'some set' : 'all official' },
            ...pattern.options.map((option) => ({
              value: `option:${option.key}` as const,
              label: option.message.replace(/\?$/, ''),
              hint: `now ${recorded.options[option.key] ?? option.default}`,
            })),
          ],
          required: false,
        }),
      );
    },
    async model(id, initial) {
      return answered(
        await clack.text({
          ...streams,
          message: `Default model for ${findProvider(id)!.label}`,
          initialValue: initial,
          defaultValue: initial,
          validate: (value) => problem(() => parseModels([`${id}=${value ?? ''}`])),
        }),
      ).trim();
    },
    async baseUrl(id, initial) {
      return answered(
        await clack.text({
          ...streams,
          message: `Base URL for ${findProvider(id)!.label} (empty: the official ${findProvider(id)!.origin})`,
          initialValue: initial,
          validate: (value) => (value?.trim() ? problem(() => normalizeBaseUrl(id, value.trim())) : undefined),
        }),
      ).trim();
    },
    async proceed(message) {
      const go = answered(await clack.confirm({ ...streams, message, initialValue: true }));
      if (!go) throw new CancelledError();
    },
  };
}

/** A validation message for clack, or undefined when the check passes. */
function problem(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
