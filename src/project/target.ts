import { existsSync, readdirSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** Entries that do not make a directory "non-empty". */
const IGNORABLE = new Set(['.git', '.DS_Store', 'Thumbs.db']);

/** What a directory holds besides ignorable entries; empty when it does not exist. */
export function existingEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} exists and is not a directory.`);
  return readdirSync(dir)
    .filter((entry) => !IGNORABLE.has(entry))
    .sort();
}

/** Refuses a non-empty target unless `--force`, listing what is there. */
export function checkTarget(dir: string, force: boolean): void {
  const entries = existingEntries(dir);
  if (entries.length === 0 || force) return;
  const shown = entries.slice(0, 10).join(', ') + (entries.length > 10 ? `, and ${entries.length - 10} more` : '');
  throw new UsageError(
    `${dir} is not empty (it holds ${shown}). Choose another directory, empty it, or pass --force to write the ` +
      'generated files over it (nothing else is touched or deleted).',
  );
}
