import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { RenderContext } from './context.js';
import {
  commentText,
  htmlAttribute,
  htmlText,
  identifier,
  json,
  jsLiteral,
  jsString,
  markdownText,
  phpLiteral,
  phpString,
} from './escape.js';

/** A rendered project: relative POSIX path -> file content. */
export type RenderedFiles = Map<string, string>;

const TEMPLATE_SUFFIX = '.hbs';

/** Template file names that cannot be published as-is (npm drops `.gitignore`), renamed on output. */
const RENAMES: Record<string, string> = { _gitignore: '.gitignore', _npmrc: '.npmrc' };

function createEngine(): typeof Handlebars {
  const engine = Handlebars.create();
  // Every helper takes its value first; Handlebars appends its own options object, which is dropped here.
  const helpers: Record<string, (...args: never[]) => string> = {
    js: (value: string) => jsString(String(value)),
    json: (value: unknown, indent: unknown) => json(value, typeof indent === 'number' ? indent : 0),
    jsLiteral: (value: unknown, indent: unknown) => jsLiteral(value, typeof indent === 'number' ? indent : 0),
    php: (value: string) => phpString(String(value)),
    phpLiteral: (value: unknown, indent: unknown) => phpLiteral(value, typeof indent === 'number' ? indent : 0),
    html: (value: string) => htmlText(String(value)),
    attr: (value: string) => htmlAttribute(String(value)),
    comment: (value: string) => commentText(String(value)),
    md: (value: string) => markdownText(String(value)),
    id: (value: string) => identifier(String(value)),
    /** Plain text already known to be safe where it lands (catalog data such as paths and URLs in Markdown). */
    raw: (value: unknown) => String(value),
    upper: (value: string) => String(value).toUpperCase(),
  };
  for (const [name, helper] of Object.entries(helpers)) {
    engine.registerHelper(name, (...args: unknown[]) => new engine.SafeString((helper as (...a: unknown[]) => string)(...args.slice(0, -1))));
  }
  engine.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  engine.registerHelper('not', (a: unknown) => !a);
  engine.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  engine.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  return engine;
}

/** Tidy what templates leave behind: trailing spaces, runs of blank lines, a missing final newline. */
export function tidy(content: string): string {
  const text = content
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+/, '');
  return text.trimEnd() + '\n';
}

async function listFiles(root: string, relative = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const entryPath = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(root, entryPath)));
    else files.push(entryPath);
  }
  return files.sort();
}

/** Output path of a template: `{{slug}}` segments filled in, `.hbs` dropped, publish-safe names renamed. */
function outputPath(templatePath: string, context: RenderContext): string {
  return templatePath
    .split('/')
    .map((segment) => {
      let name = segment.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
        const value = (context as unknown as Record<string, unknown>)[key];
        if (typeof value !== 'string') throw new Error(`Template path ${templatePath} names an unknown value ${key}`);
        return identifier(value);
      });
      if (name.endsWith(TEMPLATE_SUFFIX)) name = name.slice(0, -TEMPLATE_SUFFIX.length);
      return RENAMES[name] ?? name;
    })
    .join('/');
}

/**
 * Renders every template of a pattern. Handlebars runs in strict mode (a missing value is an error). A template
 * that renders to nothing is not written: that is how a file belongs to some answers only (e.g. the Redis store).
 */
export async function renderPattern(templatesRoot: string, context: RenderContext): Promise<RenderedFiles> {
  const root = path.join(templatesRoot, context.pattern);
  const engine = createEngine();
  const rendered: RenderedFiles = new Map();
  for (const templatePath of await listFiles(root)) {
    const source = await readFile(path.join(root, templatePath), 'utf8');
    const output = outputPath(templatePath, context);
    if (!templatePath.endsWith(TEMPLATE_SUFFIX)) {
      rendered.set(output, source);
      continue;
    }
    const template = engine.compile(source, { strict: true, noEscape: false });
    let content: string;
    try {
      content = template(context);
    } catch (error) {
      throw new Error(`Template ${context.pattern}/${templatePath}: ${(error as Error).message}`);
    }
    if (content.trim() === '') continue;
    rendered.set(output, tidy(content));
  }
  return rendered;
}
