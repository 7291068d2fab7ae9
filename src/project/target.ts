import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { MANIFEST_FILE } from './manifest.js';

/** Entries that do not make a directory "non-empty". */
const IGNORABLE = new Set(['.git', '.DS_Store', 'Thumbs.db']);

/**
 * What a target directory is to a new project: free (missing or empty), unusable (the reason, in the user's terms),
 * or taken (what it holds, and whether that is already a create-byok project).
 */
export type TargetState =
  | { kind: 'free' }
  | { kind: 'unusable'; reason: string }
  | { kind: 'taken'; entries: string[]; project: boolean };

export function inspectTarget(dir: string): TargetState {
  // File systems allow 255 bytes per name (Linux, macOS and Windows alike).
  const tooLong = dir.split(path.sep).find((part) => Buffer.byteLength(part) > 255);
  if (tooLong) {
    return {
      kind: 'unusable',
      reason: `the name "${tooLong.slice(0, 20)}..." is ${Buffer.byteLength(tooLong)} bytes long, and file systems allow 255 at most`,
    };
  }
  for (let ancestor = path.dirname(dir); ancestor !== path.dirname(ancestor); ancestor = path.dirname(ancestor)) {
    if (!existsSync(ancestor)) continue;
    if (!statSync(ancestor).isDirectory()) return { kind: 'unusable', reason: `${ancestor} is a file, not a directory` };
    break;
  }
  if (!existsSync(dir)) return { kind: 'free' };
  if (!statSync(dir).isDirectory()) return { kind: 'unusable', reason: 'it is a file, not a directory' };
  const entries = readdirSync(dir)
    .filter((entry) => !IGNORABLE.has(entry))
    .sort();
  return entries.length === 0 ? { kind: 'free' } : { kind: 'taken', entries, project: entries.includes(MANIFEST_FILE) };
}

/** A directory's entries for a message: the first ten, then how many more. */
export function describeEntries(entries: readonly string[]): string {
  return entries.slice(0, 10).join(', ') + (entries.length > 10 ? `, and ${entries.length - 10} more` : '');
}

/** Refuses a target that cannot be a directory, or a non-empty one unless `--force` (listing what is there). */
export function checkTarget(dir: string, force: boolean): void {
  const state = inspectTarget(dir);
  if (state.kind === 'unusable') {
    throw new UsageError(`Cannot create ${dir.length > 100 ? 'that directory' : dir}: ${state.reason}. Choose another directory.`);
  }
  if (state.kind === 'free' || force) return;
  throw new UsageError(
    `${dir} is not empty (it holds ${describeEntries(state.entries)}). Choose another directory, empty it, or pass ` +
      '--force to write the generated files over it (nothing else is touched or deleted).' +
      (state.project ? ` It holds a create-byok project: to change it and keep your edits, run create-byok update ${dir}.` : ''),
  );
}
