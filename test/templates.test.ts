import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as acorn from 'acorn';
import { parse as parseHtml, type DefaultTreeAdapterMap } from 'parse5';
import { afterAll, describe, expect, it } from 'vitest';
import type { Answers } from '../src/answers.js';
import { PATTERNS } from '../src/patterns/index.js';
import { generate } from '../src/project/generate.js';
import { findProvider, PROVIDER_IDS } from '../src/providers/index.js';
import { deriveNames } from '../src/project/names.js';
import { generateProject, repoRoot } from './support/cli.js';
import { HOSTILE_NAMES } from './support/hostile-names.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const scratch = mkdtempSync(path.join(os.tmpdir(), 'byok-templates-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function answersFor(pattern: (typeof PATTERNS)[number], name: string, providers: string[]): Answers {
  return {
    name,
    pattern: pattern.id,
    providers,
    models: {},
    baseUrls: {},
    options: Object.fromEntries(pattern.options.map((option) => [option.key, option.default])),
  };
}

/** Every string value a JavaScript program spells: literals and template-literal text. */
function jsStrings(source: string, file: string, sourceType: 'module' | 'script' = 'module'): string[] {
  let ast: acorn.Node;
  try {
    ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType, allowHashBang: true });
  } catch (error) {
    throw new Error(`${file} does not parse as JavaScript: ${(error as Error).message}`);
  }
  const strings: string[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as { type?: string; value?: unknown; cooked?: unknown };
    if (n.type === 'Literal' && typeof n.value === 'string') strings.push(n.value);
    if (n.type === 'TemplateElement' && typeof (n.value as { cooked?: string })?.cooked === 'string') {
      strings.push((n.value as { cooked: string }).cooked);
    }
    for (const value of Object.values(node)) if (value && typeof value === 'object') visit(value);
  };
  visit(ast);
  return strings;
}

/** Every string literal value of a PHP file, read by PHP's own tokenizer. */
function phpStrings(file: string): string[] {
  const program = `foreach (token_get_all(file_get_contents($argv[1])) as $t) { if (is_array($t) && $t[0] === T_CONSTANT_ENCAPSED_STRING) { echo base64_encode(eval('return ' . $t[1] . ';')), "\\n"; } }`;
  const out = execFileSync('php', ['-r', program, file], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((line) => Buffer.from(line, 'base64').toString('utf8'));
}

function walk(node: Node, visit: (element: Element) => void): void {
  if ('tagName' in node) visit(node as Element);
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const child of children) walk(child as Node, visit);
  if ('content' in node && node.content) walk(node.content as Node, visit);
}

const textOf = (element: Element) =>
  element.childNodes.map((child) => ('value' in child ? (child as { value: string }).value : '')).join('');

/** Parses a rendered file with its host language's parser; returns the strings/text it shows. */
function checkFile(file: string, content: string, diskPath: string): { shown: string[]; structure?: string } {
  const extension = path.extname(file);
  if (['.js', '.mjs', '.cjs'].includes(extension)) {
    return { shown: jsStrings(content, file, extension === '.cjs' ? 'script' : 'module') };
  }
  if (extension === '.json') {
    const strings: string[] = [];
    JSON.parse(content, (_key, value: unknown) => {
      if (typeof value === 'string') strings.push(value);
      return value;
    });
    return { shown: strings };
  }
  if (extension === '.php') {
    execFileSync('php', ['-l', diskPath], { stdio: 'pipe' });
    return { shown: phpStrings(diskPath) };
  }
  if (extension === '.html') {
    const errors: string[] = [];
    const document = parseHtml(content, { onParseError: (error) => errors.push(error.code) });
    const tags: string[] = [];
    const shown: string[] = [];
    walk(document as unknown as Node, (element) => {
      tags.push(element.tagName);
      if (element.tagName === 'title') shown.push(textOf(element));
      if (element.tagName === 'script') {
        const type = element.attrs.find((attr) => attr.name === 'type')?.value;
        if (type === undefined || type === 'module' || type === 'text/javascript') {
          shown.push(...jsStrings(textOf(element), `${file} <script>`, type === 'module' ? 'module' : 'script'));
        }
      }
    });
    expect(errors, `${file} HTML parse errors`).toEqual([]);
    return { shown, structure: tags.join(',') };
  }
  return { shown: [] };
}

describe.each(PATTERNS.map((pattern) => [pattern.id, pattern] as const))('%s templates', (_id, pattern) => {
  const providerSets = [[...PROVIDER_IDS], ['google'], ['mistral', 'anthropic']];

  it.each(providerSets.map((providers) => [providers.join(',')]))('render, parse and carry no template noise for %s', async (list) => {
    const { files } = await generate(answersFor(pattern, 'Plain Name', list.split(',')));
    expect(files.size).toBeGreaterThan(1);
    for (const [file, content] of files) {
      // Handlebars leftovers (`{{name}}`, `{{#if x}}`, `{{/each}}`), not code that happens to nest braces.
      expect(content, file).not.toMatch(/\{\{[#/^!>]?\s*[\w.@]+(?:\s+[\w.@"'=]+)*\s*\}\}/);
      expect(content, file).not.toMatch(/\n\s*\n\s*\n/);
      expect(content, file).not.toMatch(/[ \t]+\n/);
      expect(content.endsWith('\n'), file).toBe(true);
      const disk = path.join(scratch, `${pattern.id}-${Math.random().toString(36).slice(2)}${path.extname(file)}`);
      writeFileSync(disk, content);
      checkFile(file, content, disk);
    }
  });

  it.each(HOSTILE_NAMES.map((name) => [name]))('still parse and show the name as typed: %j', async (name) => {
    const benign = await generate(answersFor(pattern, 'Plain Name', ['anthropic', 'openai', 'google']));
    const { files } = await generate(answersFor(pattern, name, ['anthropic', 'openai', 'google']));
    const shown: string[] = [];
    for (const [file, content] of files) {
      const disk = path.join(scratch, `${pattern.id}-${Math.random().toString(36).slice(2)}${path.extname(file)}`);
      writeFileSync(disk, content);
      const result = checkFile(file, content, disk);
      shown.push(...result.shown);
      if (result.structure) {
        // The name cannot add or remove elements: same tags as with a plain name.
        const benignFile = [...benign.files].find(([other]) => other === file)!;
        const benignDisk = path.join(scratch, `benign-${Math.random().toString(36).slice(2)}.html`);
        writeFileSync(benignDisk, benignFile[1]);
        expect(result.structure, file).toBe(checkFile(benignFile[0], benignFile[1], benignDisk).structure);
      }
    }
    // HTML parsers turn CR LF into LF; everything else must come back exactly as typed.
    const normalize = (text: string) => text.replace(/\r\n?/g, '\n');
    const typed = normalize(name.trim());
    expect(shown.some((text) => normalize(text).includes(typed)), `${pattern.id} shows ${JSON.stringify(typed)}`).toBe(true);
  });
});

describe('the published CLI', () => {
  it.each(PATTERNS.map((pattern) => [pattern.id, pattern] as const))(
    'renders the %s pattern from its precompiled templates exactly as the sources do, hostile name included',
    async (_id, pattern) => {
      const name = HOSTILE_NAMES[2]!;
      const providers = ['anthropic', 'openai', 'google'];
      const options = pattern.options.flatMap((option) => [`--${option.flag}`, option.choices.at(-1)!.value]);
      await generateProject(path.join(scratch, 'bin-parent', pattern.id), ['--pattern', pattern.id, '--provider', providers.join(','), '--name', name, ...options]);
      // With --name, the directory given is the one written (a WordPress plugin included).
      const root = path.join(scratch, 'bin-parent', pattern.id);
      const expected = await generate({
        ...answersFor(pattern, name, providers),
        models: Object.fromEntries(providers.map((id) => [id, findProvider(id)!.models.default])),
        options: Object.fromEntries(pattern.options.map((option) => [option.key, option.choices.at(-1)!.value])),
      });
      for (const [file, content] of expected.files) expect(readFileSync(path.join(root, file), 'utf8'), file).toBe(content);
    },
  );
});

describe('templates', () => {
  const root = path.join(repoRoot, 'templates');
  const templates = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? templates(path.join(dir, entry.name)) : entry.name.endsWith('.hbs') ? [path.join(dir, entry.name)] : [],
    );

  it('put every value through an escaping helper: no bare {{value}}', () => {
    const helpers = 'js|json|jsLiteral|php|phpLiteral|html|attr|comment|md|id|raw|upper';
    // Allowed: helpers, block open/close/else, comments, partials (the shared core), and `this`-free block params.
    const allowed = new RegExp(`^\\{\\{~?\\s*(?:(?:${helpers})\\s|[#/^>]|else\\b|!)`);
    const offenders: string[] = [];
    for (const file of templates(root)) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\{\{\{?[^}]*\}\}\}?/g)) {
        // `\{{` is literal text (a JSDoc object type), not a value.
        if (source[match.index - 1] === '\\') continue;
        if (match[0].startsWith('{{{') || !allowed.test(match[0])) offenders.push(`${path.relative(root, file)}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
