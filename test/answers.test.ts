import { describe, expect, it } from 'vitest';
import type { Answers } from '../src/answers.js';
import { resolveAnswers, type AnswerFlags, type Topic } from '../src/cli/answers.js';
import type { Prompter } from '../src/cli/prompts.js';
import { findPattern } from '../src/patterns/index.js';
import { findProvider } from '../src/providers/index.js';
import { parseChanges } from '../src/update/answers.js';

/**
 * The one answer resolver of create and update, driven through a stub prompter: each answer is the flag, else the
 * prompt (when asked), else the recorded answer, else the default.
 */

type Call = [method: string, ...args: unknown[]];

/** A prompter that answers from a script and records every question, so a test sees what was asked. */
function stubPrompter(script: Partial<Record<keyof Prompter, (...args: never[]) => unknown>>): Prompter & { calls: Call[] } {
  const calls: Call[] = [];
  const method =
    (name: keyof Prompter) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      const answer = script[name];
      if (!answer) throw new Error(`unexpected question: ${name}`);
      return (answer as (...a: unknown[]) => unknown)(...args);
    };
  const names: Array<keyof Prompter> = ['directory', 'pattern', 'providers', 'defaultProvider', 'option', 'confirm', 'topics', 'model', 'baseUrl', 'proceed'];
  return Object.assign(Object.fromEntries(names.map((name) => [name, method(name)])) as unknown as Prompter, { calls });
}

const proxy = findPattern('proxy')!;
const browser = findPattern('browser')!;
const none = (): AnswerFlags => ({ models: {}, baseUrls: {}, officialBaseUrls: [], options: {} });
const recorded: Answers = {
  name: 'App',
  pattern: 'proxy',
  providers: ['anthropic', 'openai'],
  models: { anthropic: 'claude-custom', openai: 'gpt-custom' },
  baseUrls: { openai: 'http://127.0.0.1:9/openai' },
  options: { rateLimitStore: 'redis' },
};
const everything = new Set<Topic>(['providers', 'models', 'baseUrls', 'option:rateLimitStore']);

describe('answer layers: flag > prompt > recorded > default', () => {
  it('takes the defaults for a new project when nothing is given or asked', async () => {
    const answers = await resolveAnswers({ pattern: proxy, name: 'App', flags: none() });
    expect(answers).toEqual({
      name: 'App',
      pattern: 'proxy',
      providers: ['anthropic'],
      models: { anthropic: findProvider('anthropic')!.models.default },
      baseUrls: {},
      options: { rateLimitStore: 'memory' },
    });
  });

  it('keeps the recorded answers over the defaults', async () => {
    expect(await resolveAnswers({ pattern: proxy, name: 'App', flags: none(), recorded })).toEqual(recorded);
  });

  it('asks, starting from the recorded answers, and takes the prompt over them', async () => {
    const prompter = stubPrompter({
      providers: () => ['openai', 'google'],
      defaultProvider: () => 'google',
      model: (id: string) => `${id}-picked`,
      baseUrl: (id: string) => (id === 'openai' ? '' : 'https://gw.example.com/g/'),
      option: () => 'memory',
    });
    const answers = await resolveAnswers({ pattern: proxy, name: 'App', flags: none(), recorded, prompter, ask: everything });
    expect(answers).toEqual({
      name: 'App',
      pattern: 'proxy',
      providers: ['google', 'openai'],
      models: { google: 'google-picked', openai: 'openai-picked' },
      baseUrls: { google: 'https://gw.example.com/g' },
      options: { rateLimitStore: 'memory' },
    });
    expect(prompter.calls).toEqual([
      ['providers', ['anthropic', 'openai']],
      // anthropic was the default and is gone: the first chosen is offered.
      ['defaultProvider', ['openai', 'google'], 'openai'],
      ['model', 'google', findProvider('google')!.models.default],
      ['model', 'openai', 'gpt-custom'],
      ['baseUrl', 'google', ''],
      ['baseUrl', 'openai', 'http://127.0.0.1:9/openai'],
      ['option', proxy.options[0], 'redis'],
    ]);
  });

  it('asks nothing a flag answers, and only the topics asked', async () => {
    const prompter = stubPrompter({ option: () => 'redis' });
    const flags = { ...none(), providers: ['openai'], models: { openai: 'gpt-flag' } };
    const answers = await resolveAnswers({ pattern: proxy, name: 'App', flags, prompter, ask: new Set<Topic>(['providers', 'models', 'option:rateLimitStore']) });
    expect(answers.providers).toEqual(['openai']);
    expect(answers.models).toEqual({ openai: 'gpt-flag' });
    expect(prompter.calls.map(([method]) => method)).toEqual(['option']);
  });

  it('asks for the first provider only when more than one is chosen (create)', async () => {
    const one = stubPrompter({ providers: () => ['groq'] });
    expect((await resolveAnswers({ pattern: browser, name: 'A', flags: none(), prompter: one, ask: new Set(['providers']) })).providers).toEqual(['groq']);
    expect(one.calls).toEqual([['providers']]);
    const two = stubPrompter({ providers: () => ['anthropic', 'openai', 'xai'], defaultProvider: () => 'xai' });
    expect((await resolveAnswers({ pattern: browser, name: 'A', flags: none(), prompter: two, ask: new Set(['providers']) })).providers).toEqual(['xai', 'anthropic', 'openai']);
  });

  it('keeps what stays, defaults what is new, drops what goes', async () => {
    const answers = await resolveAnswers({ pattern: proxy, name: 'App', flags: parseChanges({ provider: 'openai,google' }, proxy), recorded });
    expect(answers.providers).toEqual(['openai', 'google']);
    expect(answers.models.openai).toBe('gpt-custom');
    expect(answers.models.google).toBe(findProvider('google')!.models.default);
    expect(answers.models.anthropic).toBeUndefined();
    expect(answers.baseUrls).toEqual({ openai: 'http://127.0.0.1:9/openai' });
    expect(answers.options).toEqual({ rateLimitStore: 'redis' });
  });

  it('changes only what the flags name (base URL back to official included)', async () => {
    const flags = parseChanges({ model: ['anthropic=claude-other'], rateLimitStore: 'memory', baseUrl: ['openai=official'] }, proxy);
    expect(await resolveAnswers({ pattern: proxy, name: 'App', flags, recorded })).toEqual({
      ...recorded,
      models: { ...recorded.models, anthropic: 'claude-other' },
      baseUrls: {},
      options: { rateLimitStore: 'memory' },
    });
  });
});

describe('answer checks', () => {
  it("refuses another pattern's option and a pattern change (update's wording)", () => {
    expect(() => parseChanges({ storage: 'memory' }, proxy)).toThrow(/new project/);
    expect(() => parseChanges({ pattern: 'browser' }, proxy)).toThrow(/cannot change the pattern/);
    expect(() => parseChanges({ pattern: 'proxy' }, proxy)).not.toThrow();
  });

  it("refuses another pattern's option given before the pattern was chosen at a prompt (create)", async () => {
    const flags = { ...none(), options: { rateLimitStore: 'redis' } };
    await expect(resolveAnswers({ pattern: browser, name: 'A', flags })).rejects.toThrow('--rate-limit-store applies to the proxy pattern, not browser.');
  });

  it('refuses a model for a provider that is not chosen, whether the providers came from a flag or a prompt', async () => {
    await expect(resolveAnswers({ pattern: proxy, name: 'App', flags: parseChanges({ provider: 'openai', model: ['anthropic=x'] }, proxy), recorded })).rejects.toThrow(
      /--model names anthropic, which is not among the chosen providers/,
    );
    const prompter = stubPrompter({ providers: () => ['openai'] });
    const flags = { ...none(), baseUrls: { google: 'https://gw.example.com' } };
    await expect(resolveAnswers({ pattern: proxy, name: 'App', flags, prompter, ask: new Set(['providers']) })).rejects.toThrow(/--base-url names google/);
  });

  it('refuses a recorded provider this version does not know, and says how to choose again', async () => {
    const odd = { ...recorded, providers: ['cohere'] };
    await expect(resolveAnswers({ pattern: proxy, name: 'App', flags: none(), recorded: odd })).rejects.toThrow(/byok.json names provider "cohere".*--provider/);
    expect((await resolveAnswers({ pattern: proxy, name: 'App', flags: parseChanges({ provider: 'openai' }, proxy), recorded: odd })).providers).toEqual(['openai']);
  });

  it('checks recorded values as strictly as flags (byok.json may be edited by hand)', async () => {
    await expect(resolveAnswers({ pattern: proxy, name: 'App', flags: none(), recorded: { ...recorded, options: { rateLimitStore: 'disk' } } })).rejects.toThrow(
      'byok.json records rateLimitStore "disk", which is not one of memory, redis. Choose again with --rate-limit-store.',
    );
    await expect(resolveAnswers({ pattern: proxy, name: 'App', flags: none(), recorded: { ...recorded, models: { ...recorded.models, openai: 'gpt 5' } } })).rejects.toThrow(
      /letters, digits/,
    );
    await expect(resolveAnswers({ pattern: proxy, name: 'App', flags: none(), recorded: { ...recorded, baseUrls: { openai: 'ftp://x' } } })).rejects.toThrow(/scheme/);
  });
});
