import { UsageError } from '../errors.js';
import { allPatternOptions, findPattern, PATTERN_IDS, type PatternId } from '../patterns/index.js';
import { findProvider, PROVIDER_IDS } from '../providers/index.js';

/** Flags as commander hands them over, before validation. */
export interface RawFlags {
  pattern?: string;
  /** Each --provider given, in order (each may list several ids). */
  provider?: string[];
  name?: string;
  model?: string[];
  baseUrl?: string[];
  yes?: boolean;
  install: boolean;
  git: boolean;
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
  debug?: boolean;
  /** Pattern options by their answer key (`storage`, `rateLimitStore`). */
  [option: string]: unknown;
}

/** Validated flags: every value here is known to be usable. Missing means "not given". */
export interface ParsedFlags {
  pattern?: PatternId;
  providers?: string[];
  name?: string;
  models: Record<string, string>;
  baseUrls: Record<string, string>;
  options: Record<string, string>;
}

const list = (values: readonly string[]) => values.join(', ');

export function parsePattern(value: string): PatternId {
  const pattern = findPattern(value.trim().toLowerCase());
  if (!pattern) throw new UsageError(`Unknown pattern "${value}". Valid patterns: ${list(PATTERN_IDS)}.`);
  return pattern.id;
}

/** Provider ids from one or more --provider flags: merged in order, never dropped, a repeated id refused. */
export function parseProviders(value: string | readonly string[]): string[] {
  const ids = (typeof value === 'string' ? [value] : value)
    .flatMap((entry) => entry.split(','))
    .map((id) => id.trim().toLowerCase())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError(`--provider needs at least one id. Valid providers: ${list(PROVIDER_IDS)}.`);
  const unknown = ids.filter((id) => !findProvider(id));
  if (unknown.length > 0) {
    throw new UsageError(`Unknown provider ${unknown.map((id) => `"${id}"`).join(', ')}. Valid providers: ${list(PROVIDER_IDS)}.`);
  }
  const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (duplicates.length > 0) throw new UsageError(`--provider names ${duplicates[0]} twice.`);
  return ids;
}

/** Splits `id=value` for the repeatable per-provider flags. */
function splitAssignment(flag: string, entry: string, example: string): [string, string] {
  const at = entry.indexOf('=');
  const id = at > 0 ? entry.slice(0, at).trim().toLowerCase() : '';
  const value = at > 0 ? entry.slice(at + 1).trim() : '';
  if (!id || !value) throw new UsageError(`${flag} takes <provider>=<value>, e.g. ${flag} ${example}; got "${entry}".`);
  if (!findProvider(id)) throw new UsageError(`${flag} names unknown provider "${id}". Valid providers: ${list(PROVIDER_IDS)}.`);
  return [id, value];
}

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

export function parseModels(entries: readonly string[]): Record<string, string> {
  const models: Record<string, string> = {};
  for (const entry of entries) {
    const [id, model] = splitAssignment('--model', entry, 'anthropic=claude-haiku-4-5');
    if (!MODEL_ID.test(model)) {
      throw new UsageError(`--model ${id}=${JSON.stringify(model)}: a model id is letters, digits and . _ : / @ + - only.`);
    }
    if (models[id]) throw new UsageError(`--model is given twice for ${id}.`);
    models[id] = model;
  }
  return models;
}

/**
 * A base URL replaces the provider's origin: scheme, host, port and an optional path prefix. Request paths are
 * appended unchanged, so the prefix never ends in a slash. Credentials, query and fragment have no place in it.
 */
export function normalizeBaseUrl(id: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--base-url ${id}=${value} is not a URL. Expected e.g. https://gateway.example.com/${id}.`);
  }
  const problems = [
    url.protocol !== 'http:' && url.protocol !== 'https:' ? 'the scheme must be http or https' : '',
    url.username || url.password ? 'it must not carry credentials' : '',
    url.search || value.includes('?') ? 'it must not have a query string' : '',
    url.hash || value.includes('#') ? 'it must not have a fragment' : '',
    // `http://127.0.0.1:` parses as port 80, which is not what anyone who typed a colon meant.
    /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(?:[/?#]|$)/i.test(value.trim()) ? 'the port after ":" is empty' : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new UsageError(`--base-url ${id}=${value}: ${problems.join('; ')}.`);
  const prefix = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${prefix}`;
}

/** Hosts whose traffic never leaves the machine: plain http to them is fine. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Warnings (not refusals: a gateway on a private network may be what they want) for base URLs that would send
 * users' keys over the network unencrypted.
 */
export function plainHttpWarnings(baseUrls: Record<string, string>): string[] {
  return Object.entries(baseUrls)
    .filter(([, url]) => url.startsWith('http:') && !isLoopback(new URL(url).hostname))
    .map(
      ([id, url]) =>
        `--base-url ${id}=${url} is plain http: your users' ${findProvider(id)?.label ?? id} keys would cross the network unencrypted. ` +
        'Use https unless the gateway runs on this machine.',
    );
}

export function parseBaseUrls(entries: readonly string[]): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const entry of entries) {
    const [id, value] = splitAssignment('--base-url', entry, 'openai=https://gateway.example.com/openai');
    if (urls[id]) throw new UsageError(`--base-url is given twice for ${id}.`);
    urls[id] = normalizeBaseUrl(id, value);
  }
  return urls;
}

/** Validates everything given on the command line, before any prompt, so bad flags fail at once. */
export function parseFlags(raw: RawFlags): ParsedFlags {
  const pattern = raw.pattern === undefined ? undefined : parsePattern(raw.pattern);
  const providers = raw.provider === undefined ? undefined : parseProviders(raw.provider);
  const models = parseModels(raw.model ?? []);
  const baseUrls = parseBaseUrls(raw.baseUrl ?? []);
  if (raw.name !== undefined && raw.name.trim() === '') throw new UsageError('--name cannot be empty.');

  if (providers) checkProviderFlags({ models, baseUrls }, providers);

  const options = parsePatternOptions(raw, pattern, (flag, owner) => `--${flag} applies to the ${owner} pattern, not ${pattern}.`);
  return { pattern, providers, name: raw.name?.trim(), models, baseUrls, options };
}

/** `--model` and `--base-url` may only name chosen providers (checked again once prompts have chosen them). */
export function checkProviderFlags(flags: Pick<ParsedFlags, 'models' | 'baseUrls'>, providers: readonly string[]): void {
  for (const [flag, values] of [['--model', flags.models], ['--base-url', flags.baseUrls]] as const) {
    const stray = Object.keys(values).filter((id) => !providers.includes(id));
    if (stray.length > 0) {
      throw new UsageError(`${flag} names ${list(stray)}, which is not among the chosen providers (${list(providers)}).`);
    }
  }
}

/**
 * The pattern options given as flags, validated. `pattern` is the pattern they must belong to, when known; a flag
 * of another pattern is refused with `foreign`'s message (create and update word it differently).
 */
export function parsePatternOptions(
  raw: Record<string, unknown>,
  pattern: PatternId | undefined,
  foreign: (flag: string, owner: PatternId) => string,
): Record<string, string> {
  const options: Record<string, string> = {};
  // Patterns may share a flag (`--rate-limit-store` for proxy and worker), each with its own choices.
  const given = allPatternOptions().filter(({ option }) => raw[option.key] !== undefined);
  for (const key of new Set(given.map(({ option }) => option.key))) {
    const owners = given.filter(({ option }) => option.key === key);
    const { flag } = owners[0]!.option;
    const applicable = pattern ? owners.filter(({ pattern: owner }) => owner.id === pattern) : owners;
    if (applicable.length === 0) throw new UsageError(foreign(flag, owners[0]!.pattern.id));
    const valid = [...new Set(applicable.flatMap(({ option }) => option.choices.map((choice) => choice.value)))];
    const value = raw[key];
    if (typeof value !== 'string' || !valid.includes(value)) {
      throw new UsageError(`Unknown --${flag} "${String(value)}". Valid values: ${list(valid)}.`);
    }
    options[key] = value;
  }
  return options;
}
