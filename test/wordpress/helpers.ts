/**
 * What the WordPress tests do with a generated plugin: generate it against the fake provider, fake keys shaped like
 * real ones, the settings form as an administrator submits it, notices as the page shows them.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { deriveNames, type ProjectNames } from '../../src/project/names.js';
import { generateProject, tempDir } from '../support/cli.js';
import type { FakeProvider, ProviderId } from '../support/fake-provider.mjs';
import { decodeEntities, hiddenFields, type WpSession } from '../support/wordpress-rig.js';

/** Fake keys for the plugin tests: the one module every test takes keys from. */
export { fakeKey } from '../support/fake-keys.js';

export interface GeneratedPlugin extends ProjectNames {
  /** Absolute path of the generated plugin folder (named by the slug). */
  dir: string;
  /** `<slug>/<slug>.php`, as WordPress names the plugin. */
  file: string;
  /** Every PHP file, absolute. */
  phpFiles: string[];
  cleanup: () => void;
}

/** Generates the wordpress pattern with the built CLI, every provider pointed at the fake. */
export async function generatePlugin(
  name: string,
  providers: ProviderId[],
  fake: FakeProvider | null,
  extraArgs: string[] = [],
): Promise<GeneratedPlugin> {
  const { dir: parent, cleanup } = tempDir('byok-wp-gen-');
  const baseUrls = fake ? providers.flatMap((id) => ['--base-url', `${id}=${fake.baseUrl(id)}`]) : [];
  const names = deriveNames(name);
  // The plugin folder named by its slug, as WordPress expects (a directory given with --name is used as given).
  await generateProject(path.join(parent, names.slug), [
    '--pattern', 'wordpress', '--provider', providers.join(','), '--name', name, ...baseUrls, ...extraArgs,
  ]);
  const folders = readdirSync(parent);
  if (folders.length !== 1 || folders[0] !== names.slug) {
    throw new Error(`expected one folder named ${names.slug}, got ${folders.join(', ')}`);
  }
  const dir = path.join(parent, names.slug);
  const phpFiles = listFiles(dir).filter((file) => file.endsWith('.php'));
  return { ...names, dir, file: `${names.slug}/${names.slug}.php`, phpFiles, cleanup };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

export function settingsPath(plugin: ProjectNames): string {
  return `/wp-admin/options-general.php?page=${plugin.slug}`;
}

export function restPath(plugin: ProjectNames): string {
  return `/?rest_route=/${plugin.slug}/v1/chat`;
}

/**
 * Submits the settings form as a browser would: the page's own hidden fields (nonce, option page, referer) plus
 * the given fields, then follows options.php's redirect. Returns the page shown afterwards. `raw` adds fields by
 * their full names, after the others (e.g. `<option>[api_key][]`, which no browser form would send).
 */
export async function submitSettings(
  session: WpSession,
  plugin: ProjectNames,
  fields: { provider?: string; api_key?: string; model?: string; daily_limit?: string },
  raw: Record<string, string> = {},
): Promise<string> {
  const page = await session.request(settingsPath(plugin));
  if (page.status !== 200) throw new Error(`settings page answered HTTP ${page.status}`);
  const form: Record<string, string> = { ...hiddenFields(page.text, 'options.php') };
  const option = `${plugin.functionPrefix}_settings`;
  const model = /name="[^"]*\[model\]" value="([^"]*)"/.exec(page.text)?.[1];
  form[`${option}[model]`] = fields.model ?? decodeEntities(model ?? '');
  form[`${option}[api_key]`] = fields.api_key ?? '';
  if (fields.provider) form[`${option}[provider]`] = fields.provider;
  if (fields.daily_limit) form[`${option}[daily_limit]`] = fields.daily_limit;
  Object.assign(form, raw);
  const posted = await session.request('/wp-admin/options.php', { form });
  if (posted.status !== 302) throw new Error(`options.php answered HTTP ${posted.status}: ${posted.text.slice(0, 500)}`);
  const shown = await session.follow(posted);
  if (shown.status !== 200) throw new Error(`the page after saving answered HTTP ${shown.status}`);
  return shown.text;
}

export interface Notice {
  type: 'success' | 'error' | 'warning' | 'info';
  text: string;
}

/** The admin notices of a page, as text. */
export function notices(html: string): Notice[] {
  const found: Notice[] = [];
  const pattern = /<div\b[^>]*class=['"][^'"]*\bnotice-(success|error|warning|info)\b[^'"]*['"][^>]*>\s*<p>([\s\S]*?)<\/p>/g;
  for (const match of html.matchAll(pattern)) {
    found.push({ type: match[1] as Notice['type'], text: decodeEntities(match[2]!.replace(/<[^>]+>/g, '')).trim() });
  }
  return found;
}

/** The value attribute of the API key field (it must always be empty). */
export function keyFieldValue(html: string, plugin: ProjectNames): string | undefined {
  const input = new RegExp(`<input[^>]*id="${plugin.slug}-api-key"[^>]*>`).exec(html)?.[0];
  return input ? /value="([^"]*)"/.exec(input)?.[1] : undefined;
}

/** PHP notices, warnings, deprecations and errors that point into a plugin's folder. */
export function phpProblemsFrom(log: string, slug: string): string[] {
  return log
    .split('\n')
    .filter((line) => /PHP (Notice|Warning|Deprecated|Fatal error|Parse error|Strict Standards)/.test(line))
    .filter((line) => line.includes(`/plugins/${slug}/`));
}
