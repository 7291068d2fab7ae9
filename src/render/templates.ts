import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { generatorInfo } from '../project/package-root.js';
import { registerHelpers } from './engine.js';

/**
 * A pattern's template files. This module reads them from `templates/` and compiles them (development and
 * tests); the published bundle replaces it with the same templates precompiled at build time
 * (scripts/build.mjs), so `npx create-byok` ships no template compiler and compiles nothing at run time.
 */
export interface TemplateFile {
  /** Path under `templates/<pattern>/`, as in the repository (`{{slug}}.php.hbs`, `_gitignore`). */
  path: string;
  /** Rendering for `.hbs` files. */
  render?: (context: unknown) => string;
  /** Content of files copied verbatim. */
  content?: string;
}

export const TEMPLATE_SUFFIX = '.hbs';

/** Strict mode: a value missing from the context is an error, never an empty string. */
export const COMPILE_OPTIONS = { strict: true } as const;

let engine: typeof Handlebars | undefined;

function getEngine(): typeof Handlebars {
  if (!engine) {
    engine = Handlebars.create();
    registerHelpers(engine);
  }
  return engine;
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

/**
 * The security core the JavaScript patterns share (templates/_core/: redaction, key-check outcomes, path
 * allowlist, token bucket), as partials: `{{> core/redact}}` renders templates/_core/redact.js.hbs in place, so the
 * proxy, the page and the worker carry the same code. test/vectors/ checks every rendering of it.
 */
export const CORE_FOLDER = '_core';

/** Partial name of a core template: `redact.js.hbs` -> `core/redact`. */
export const corePartialName = (file: string) => `core/${file.replace(/\..*$/, '')}`;

let partialsRegistered: Promise<void> | undefined;

async function registerCorePartials(): Promise<void> {
  const root = path.join(generatorInfo().templates, CORE_FOLDER);
  for (const file of await listFiles(root)) {
    getEngine().registerPartial(corePartialName(file), getEngine().compile(await readFile(path.join(root, file), 'utf8'), COMPILE_OPTIONS));
  }
}

export async function loadTemplates(pattern: string): Promise<TemplateFile[]> {
  await (partialsRegistered ??= registerCorePartials());
  const root = path.join(generatorInfo().templates, pattern);
  const files: TemplateFile[] = [];
  for (const file of await listFiles(root)) {
    const source = await readFile(path.join(root, file), 'utf8');
    if (file.endsWith(TEMPLATE_SUFFIX)) {
      const template = getEngine().compile(source, COMPILE_OPTIONS);
      files.push({ path: file, render: (context) => template(context) });
    } else {
      files.push({ path: file, content: source });
    }
  }
  return files;
}
