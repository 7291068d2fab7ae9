import * as clack from '@clack/prompts';
import { CancelledError } from '../errors.js';
import { PATTERNS, type PatternId, type PatternOption } from '../patterns/index.js';
import { PROVIDERS, findProvider } from '../providers/index.js';
import type { Io } from './io.js';

/**
 * The questions, one function each, all with clack's streams injected (tests drive them without a terminal).
 * Ctrl-C or Escape at any prompt throws CancelledError before anything is written.
 */
export interface Prompter {
  directory(initial: string): Promise<string>;
  pattern(): Promise<PatternId>;
  /** `initial`: the providers ticked to start with (update starts from the recorded ones). */
  providers(initial?: string[]): Promise<string[]>;
  defaultProvider(ids: string[], initial?: string): Promise<string>;
  option(option: PatternOption, initial?: string): Promise<string>;
  confirm(summary: string): Promise<void>;
}

export function answered<T>(value: T): Exclude<T, symbol> {
  if (clack.isCancel(value)) throw new CancelledError();
  return value as Exclude<T, symbol>;
}

export function createPrompter(io: Io, output = io.stdout): Prompter {
  const streams = { input: io.stdin, output };
  return {
    async directory(initial) {
      return answered(
        await clack.text({
          ...streams,
          message: 'Project directory',
          placeholder: initial,
          defaultValue: initial,
        }),
      ).trim();
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
  };
}
