import type { RenderContext } from './context.js';
import { identifier } from './escape.js';
import { rewrapMarkdown } from './markdown.js';
import { loadTemplates, TEMPLATE_SUFFIX } from './templates.js';

/** A rendered project: relative POSIX path -> file content. */
export type RenderedFiles = Map<string, string>;

/** Template file names that cannot be published as-is (npm drops `.gitignore`), renamed on output. */
const RENAMES: Record<string, string> = { _gitignore: '.gitignore', _npmrc: '.npmrc' };

/** Tidy what templates leave behind: trailing spaces, runs of blank lines, a missing final newline. */
export function tidy(content: string): string {
  const text = content
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+/, '');
  return text.trimEnd() + '\n';
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
 * Renders every template of a pattern. A template that renders to nothing is not written: that is how a file
 * belongs to some answers only (e.g. the Redis store).
 */
export async function renderPattern(context: RenderContext): Promise<RenderedFiles> {
  const rendered: RenderedFiles = new Map();
  for (const template of await loadTemplates(context.pattern)) {
    const output = outputPath(template.path, context);
    if (!template.render) {
      rendered.set(output, template.content ?? '');
      continue;
    }
    let content: string;
    try {
      content = template.render(context);
    } catch (error) {
      throw new Error(`Template ${context.pattern}/${template.path}: ${(error as Error).message}`);
    }
    if (content.trim() === '') continue;
    rendered.set(output, tidy(output.endsWith('.md') ? rewrapMarkdown(content) : content));
  }
  return rendered;
}
