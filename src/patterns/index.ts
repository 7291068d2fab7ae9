import { browser } from './browser.js';
import { proxy } from './proxy.js';
import type { PatternDefinition as Definition, PatternOption } from './types.js';
import { wordpress } from './wordpress.js';
import { worker } from './worker.js';

export type { NextStepsContext, PatternChoice, PatternOption, ProjectFacts } from './types.js';

/**
 * Every pattern, in the order the "Where will this run?" prompt offers them; the first is the default with --yes.
 * Each is one module in this folder (src/patterns/<id>.ts) owning everything pattern-specific, with its templates
 * in templates/<id>/. Adding a pattern is its module, its template folder and its tests, plus its entry here.
 */
export const PATTERNS = [browser, wordpress, proxy, worker] as const;

/** A registered pattern id (`browser`, `wordpress`, ...). */
export type PatternId = (typeof PATTERNS)[number]['id'];

/** A registered pattern. */
export type PatternDefinition = Definition<PatternId>;

export const PATTERN_IDS: readonly PatternId[] = PATTERNS.map((pattern) => pattern.id);

export function findPattern(id: string): PatternDefinition | undefined {
  return PATTERNS.find((pattern) => pattern.id === id);
}

/** Every pattern option, with the pattern it belongs to (flags are registered once for all patterns). */
export function allPatternOptions(): Array<{ pattern: PatternDefinition; option: PatternOption }> {
  return PATTERNS.flatMap((pattern) => pattern.options.map((option) => ({ pattern, option })));
}
