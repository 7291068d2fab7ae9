import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATTERNS } from '../src/patterns/index.js';
import { repoRoot } from './support/cli.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

/**
 * A pattern is one module: src/patterns/<id>.ts owns its prompts, options, folder rule, names, warnings, next steps
 * and template values, and src/patterns/index.ts registers it. Anywhere else in src/, a pattern id in a string
 * would be a branch on that pattern, which the next pattern would have to find and extend.
 */
describe('patterns as modules', () => {
  // names.ts lists "wordpress" as a trademark the plugin directory refuses in slugs: a word, not the pattern.
  const exempt = new Set(['src/patterns/index.ts', 'src/project/names.ts']);

  it.each(PATTERNS.map((pattern) => [pattern.id]))('%s is named in a string only by its own module', (id) => {
    const named = sources(path.join(repoRoot, 'src'))
      .map((file) => path.relative(repoRoot, file).split(path.sep).join('/'))
      .filter((file) => !exempt.has(file) && file !== `src/patterns/${id}.ts`)
      .filter((file) => new RegExp(`['"\`]${id}['"\`]|[<|]${id}\\||\\|${id}[>|]`).test(readFileSync(path.join(repoRoot, file), 'utf8')));
    expect(named).toEqual([]);
  });

  it.each(PATTERNS.map((pattern) => [pattern.id, pattern] as const))('%s has its module and its template folder', (id, pattern) => {
    expect(readdirSync(path.join(repoRoot, 'src/patterns'))).toContain(`${id}.ts`);
    expect(readdirSync(path.join(repoRoot, 'templates'))).toContain(id);
    expect(pattern.situation.length).toBeGreaterThan(0);
    for (const option of pattern.options) expect(option.choices.map((choice) => choice.value)).toContain(option.default);
  });
});
