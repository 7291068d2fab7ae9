import * as clack from '@clack/prompts';
import type { Answers } from '../answers.js';
import { normalizeBaseUrl, parseModels } from '../cli/flags.js';
import type { Io } from '../cli/io.js';
import { answered, createPrompter } from '../cli/prompts.js';
import { CancelledError } from '../errors.js';
import type { PatternDefinition } from '../patterns/index.js';
import { findProvider } from '../providers/index.js';
import type { AnswerChanges } from './answers.js';

const problem = (check: () => unknown) => {
  try {
    check();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/**
 * Interactive update: first what the user wants to change, then only those questions, each starting from the
 * recorded answer. Ctrl-C or Escape anywhere: CancelledError, nothing written.
 */
export async function askChanges(io: Io, output: NodeJS.WritableStream, recorded: Answers, pattern: PatternDefinition): Promise<AnswerChanges> {
  const streams = { input: io.stdin, output: output as Io['stdout'] };
  // The questions create asks, starting from the recorded answers.
  const prompter = createPrompter(io, output as Io['stdout']);
  const changes: AnswerChanges = { models: {}, baseUrls: {}, officialBaseUrls: [], options: {} };
  const topics = answered(
    await clack.multiselect<string>({
      ...streams,
      message: 'What do you want to change? (space to select, enter with none to regenerate as is)',
      options: [
        { value: 'providers', label: 'Providers', hint: `now ${recorded.providers.join(', ')}` },
        { value: 'models', label: 'Default models', hint: recorded.providers.map((id) => recorded.models[id]).join(', ') },
        { value: 'baseUrls', label: 'Base URLs (gateways)', hint: Object.keys(recorded.baseUrls).length > 0 ? 'some set' : 'all official' },
        ...pattern.options.map((option) => ({
          value: `option:${option.key}`,
          label: option.message.replace(/\?$/, ''),
          hint: `now ${recorded.options[option.key] ?? option.default}`,
        })),
      ],
      required: false,
    }),
  );

  let providers = recorded.providers;
  if (topics.includes('providers')) {
    const chosen = await prompter.providers(recorded.providers);
    const current = chosen.includes(recorded.providers[0]!) ? recorded.providers[0]! : chosen[0]!;
    const first = chosen.length > 1 ? await prompter.defaultProvider(chosen, current) : chosen[0]!;
    providers = [first, ...chosen.filter((id) => id !== first)];
    changes.providers = providers;
  }
  if (topics.includes('models')) {
    for (const id of providers) {
      const initial = recorded.models[id] ?? findProvider(id)!.models.default;
      const model = answered(
        await clack.text({
          ...streams,
          message: `Default model for ${findProvider(id)!.label}`,
          initialValue: initial,
          defaultValue: initial,
          validate: (value) => problem(() => parseModels([`${id}=${value ?? ''}`])),
        }),
      ).trim();
      if (model !== initial) changes.models[id] = model;
    }
  }
  if (topics.includes('baseUrls')) {
    for (const id of providers) {
      const initial = recorded.baseUrls[id] ?? '';
      const url = answered(
        await clack.text({
          ...streams,
          message: `Base URL for ${findProvider(id)!.label} (empty: the official ${findProvider(id)!.origin})`,
          initialValue: initial,
          validate: (value) => (value?.trim() ? problem(() => normalizeBaseUrl(id, value.trim())) : undefined),
        }),
      ).trim();
      if (url === '' && initial !== '') changes.officialBaseUrls.push(id);
      else if (url !== '' && normalizeBaseUrl(id, url) !== initial) changes.baseUrls[id] = normalizeBaseUrl(id, url);
    }
  }
  for (const option of pattern.options) {
    if (!topics.includes(`option:${option.key}`)) continue;
    changes.options[option.key] = await prompter.option(option, recorded.options[option.key]);
  }
  return changes;
}

export async function confirmWrite(io: Io, output: NodeJS.WritableStream, message: string): Promise<void> {
  const go = answered(await clack.confirm({ input: io.stdin, output: output as Io['stdout'], message, initialValue: true }));
  if (!go) throw new CancelledError();
}
