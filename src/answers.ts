import type { PatternId } from './patterns/index.js';

/**
 * Everything the user chose, resolved (flags, then prompts, then defaults). Rendering is a pure function of
 * this object and the generator version, and the manifest records it so `update` can render it again.
 */
export interface Answers {
  /** Display name, exactly as typed (trimmed). */
  name: string;
  pattern: PatternId;
  /** Provider ids; the first is the generated app's default. */
  providers: string[];
  /** Default model per chosen provider. */
  models: Record<string, string>;
  /** Origin replacements given with `--base-url` (no trailing slash). */
  baseUrls: Record<string, string>;
  /** The pattern's options (`storage`, `rateLimitStore`), every one present. */
  options: Record<string, string>;
}
