import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
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

/** Names longer than file systems allow (255 bytes per path component on Linux, macOS and Windows). */
function checkNameLengths(dir: string): void {
  const tooLong = dir.split(path.sep).find((part) => Buffer.byteLength(part) > 255);
  if (tooLong) {
    throw new UsageError(
      `Cannot create that directory: the name "${tooLong.slice(0, 20)}..." is ` +
        `${Buffer.byteLength(tooLong)} bytes long, and file systems allow 255 at most. Choose a shorter directory name.`,
    );
  }
}

/** Refuses a target that cannot be a directory, or a non-empty one unless `--force` (listing what is there). */
export function checkTarget(dir: string, force: boolean): void {
  checkNameLengths(dir);
  for (let ancestor = path.dirname(dir); ancestor !== path.dirname(ancestor); ancestor = path.dirname(ancestor)) {
    if (!existsSync(ancestor)) continue;
    if (!statSync(ancestor).isDirectory()) throw new UsageError(`Cannot create ${dir}: ${ancestor} is a file, not a directory.`);
    break;
  }
  const entries = existingEntries(dir);
  if (entries.length === 0 || force) return;
  const shown = entries.slice(0, 10).join(', ') + (entries.length > 10 ? `, and ${entries.length - 10} more` : '');
  throw new UsageError(
    `${dir} is not empty (it holds ${shown}). Choose another directory, empty it, or pass --force to write the ` +
      'generated files over it (nothing else is touched or deleted).',
  );
}
