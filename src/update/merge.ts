import { diff3Merge } from 'node-diff3';
import { fillInlineHashes, INLINE_SCRIPT_HASHES, INLINE_STYLE_HASHES } from '../render/csp.js';

/**
 * Conflict labels, as the user reads them in the file: what they have, what create-byok wrote last time (the
 * common ancestor), and what it writes now. The base section (diff3 style, as `git config merge.conflictStyle
 * diff3` shows it) tells which side changed what.
 */
export const LABELS = { ours: 'your version', base: 'last generated', theirs: 'new' } as const;

export const MARKERS = {
  ours: `<<<<<<< ${LABELS.ours}`,
  base: `||||||| ${LABELS.base}`,
  separator: '=======',
  theirs: `>>>>>>> ${LABELS.theirs}`,
} as const;

export interface MergeResult {
  content: string;
  /** Number of conflict blocks written with markers. */
  conflicts: number;
}

/** Lines with their terminators, so joining them gives back the exact bytes (a missing final newline too). */
function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

/**
 * A checkout with `core.autocrlf` (or an editor on Windows) turns every line ending into CRLF; merged against an
 * LF base, every line would differ. The base and the new render are brought to the file's own line endings.
 */
function lineEnding(text: string): '\r\n' | '\n' {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  return crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
}

function withLineEnding(text: string, eol: '\r\n' | '\n'): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, '\r\n');
}

/**
 * Three-way merge of one text file with node-diff3 (the diff3 algorithm of Khanna, Kunal and Pierce, as GNU
 * diff3 and git implement it), line by line. Changes on both sides that touch the same or adjacent lines
 * conflict; identical changes on both sides do not.
 */
export function mergeThreeWay(ours: string, base: string, theirs: string): MergeResult {
  const eol = lineEnding(ours);
  const a = splitLines(ours);
  const o = splitLines(withLineEnding(base, eol));
  const b = splitLines(withLineEnding(theirs, eol));
  const terminated = (lines: string[]) =>
    lines.map((line, index) => (index === lines.length - 1 && !line.endsWith('\n') ? line + eol : line));

  const out: string[] = [];
  let conflicts = 0;
  for (const region of diff3Merge<string>(a, o, b, { excludeFalseConflicts: true })) {
    if (region.ok) {
      out.push(...region.ok);
    } else if (region.conflict) {
      conflicts += 1;
      const { a: mine, o: last, b: next } = region.conflict;
      // The block before a conflict may end without a newline only at the end of the file, which a conflict
      // follows never; each side's own last line gets one so the markers stay on lines of their own.
      out.push(
        MARKERS.ours + eol,
        ...terminated(mine),
        MARKERS.base + eol,
        ...terminated(last),
        MARKERS.separator + eol,
        ...terminated(next),
        MARKERS.theirs + eol,
      );
    }
  }
  return { content: out.join(''), conflicts };
}

/** True when a file still holds a conflict block written by an earlier update (and not yet resolved). */
export function hasConflictMarkers(text: string): boolean {
  const lines = text.split(/\r?\n/);
  return lines.includes(MARKERS.ours) && lines.includes(MARKERS.theirs);
}

/**
 * Pages with a strict Content-Security-Policy list the SHA-256 of each inline script and style (see
 * src/render/csp.ts). Any edit to a script changes its hash, so merged as plain text the policy line would either
 * conflict on every update or, worse, merge cleanly into a page whose policy blocks its own script. So for such
 * pages the hash lists are put back to the placeholders the templates write, the three versions are merged, and
 * the hashes are computed again from the merged page. Only when both generated versions are exactly what the
 * placeholders give (so the lists are create-byok's, not hand-written) does this apply; a hash the user added by
 * hand for something else would be recomputed away, which is why it is limited to those pages.
 */
const HASH_LIST = {
  script: { pattern: /(script-src)((?:\s+'sha256-[A-Za-z0-9+/]+={0,2}')+|\s+'none')/g, placeholder: INLINE_SCRIPT_HASHES },
  style: { pattern: /(style-src)((?:\s+'sha256-[A-Za-z0-9+/]+={0,2}')+|\s+'none')/g, placeholder: INLINE_STYLE_HASHES },
};

function withPlaceholders(html: string): string {
  let text = html;
  for (const { pattern, placeholder } of Object.values(HASH_LIST)) text = text.replace(pattern, `$1 ${placeholder}`);
  return text;
}

function hasGeneratedHashes(html: string): boolean {
  const normalized = withPlaceholders(html);
  return normalized !== html && fillInlineHashes(normalized) === html;
}

/** Merges one generated file: plain three-way merge, with the CSP hash lists of HTML pages recomputed. */
export function mergeFile(file: string, ours: string, base: string, theirs: string): MergeResult {
  if (!file.endsWith('.html') || !hasGeneratedHashes(theirs) || (base !== '' && !hasGeneratedHashes(base))) {
    return mergeThreeWay(ours, base, theirs);
  }
  const merged = mergeThreeWay(withPlaceholders(ours), withPlaceholders(base), withPlaceholders(theirs));
  return { content: fillInlineHashes(merged.content), conflicts: merged.conflicts };
}
