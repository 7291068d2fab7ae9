import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, WriteRefusedError } from '../errors.js';
import type { RenderedFiles } from '../render/render.js';
import { findObstacles, writeChanges } from './transaction.js';

export interface WriteResult {
  written: string[];
  /** Files that existed before and were replaced (only with --force). */
  overwritten: string[];
}

/**
 * Where a file would land, and whether it replaces one whose content differs (for --dry-run and reports: a file
 * that is already exactly what would be written is `same`, and not reported as overwritten).
 */
export function planWrite(targetDir: string, files: RenderedFiles): Array<{ file: string; action: 'create' | 'overwrite' | 'same' }> {
  return [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, content]) => {
    const destination = path.join(targetDir, file);
    if (!existsSync(destination)) return { file, action: 'create' };
    let current: string | undefined;
    try {
      current = readFileSync(destination, 'utf8');
    } catch {
      current = undefined;
    }
    return { file, action: current === content ? 'same' : 'overwrite' };
  });
}

/** Refuses, before anything is written, files that cannot land where they go (a directory in the way, a link out). */
export function checkObstacles(targetDir: string, files: RenderedFiles): void {
  if (!existsSync(targetDir)) return;
  const obstacles = findObstacles(targetDir, [...files.keys()].map((file) => ({ file })));
  if (obstacles.length > 0) throw new UsageError(`Cannot write into ${targetDir}: ${obstacles.join('; ')}.`);
}

/**
 * Writes the project so that a failure or Ctrl-C leaves nothing half-written. A new target is rendered into a
 * staging directory beside it (same file system) and renamed into place in one step. An existing target (empty,
 * or with --force) is written as one transaction: each replaced file is moved aside first, byok.json goes last,
 * and any failure puts every file back. Nothing the target held besides the generated files is touched.
 * Synchronous on purpose: no signal can land between two moves, and a few dozen small files are written faster
 * without a thread-pool round trip each.
 */
export function writeProject(targetDir: string, files: RenderedFiles, shown = targetDir): WriteResult {
  if (existsSync(targetDir)) {
    try {
      accessSync(targetDir, constants.W_OK);
    } catch {
      throw new WriteRefusedError(`Cannot write into ${shown}: you do not have permission to write there, or it is read-only. Nothing was written.`);
    }
  }
  try {
    return writeFiles(targetDir, files);
  } catch (error) {
    throw inUserWords(error, targetDir, shown) ?? error;
  }
}

/** What the file system said, about the user's directory rather than our staging one; undefined if unexpected. */
function inUserWords(error: unknown, targetDir: string, shown: string): Error | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  // The folder that refused: the nearest one that exists, named as the user named it.
  let refusing = shown;
  for (let dir = path.dirname(targetDir); ; dir = path.dirname(dir)) {
    refusing = path.dirname(refusing);
    if (existsSync(dir) || dir === path.dirname(dir)) break;
  }
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? `you do not have permission to write in ${refusing === '.' ? 'the current directory' : refusing}`
      : code === 'EROFS'
        ? 'the file system there is read-only'
        : code === 'ENOSPC' || code === 'EDQUOT'
          ? 'the disk (or your quota) is full'
          : code === 'ENAMETOOLONG'
            ? 'the path is longer than the file system allows'
            : undefined;
  return reason ? new WriteRefusedError(`Cannot create ${shown}: ${reason}. Nothing was written; choose another directory.`) : undefined;
}

function writeFiles(targetDir: string, files: RenderedFiles): WriteResult {
  const plan = planWrite(targetDir, files);
  const result = {
    written: plan.map(({ file }) => file),
    overwritten: plan.filter(({ action }) => action === 'overwrite').map(({ file }) => file),
  };
  if (existsSync(targetDir)) {
    checkObstacles(targetDir, files);
    writeChanges(targetDir, [...files].map(([file, content]) => ({ file, write: content })));
    return result;
  }
  const parent = path.dirname(targetDir);
  mkdirSync(parent, { recursive: true });
  // The staging name stays short, so any name the file system allows for the project also fits it.
  const staging = mkdtempSync(path.join(parent, `.${path.basename(targetDir).slice(0, 32)}.create-byok-`));
  try {
    for (const [file, content] of files) {
      const destination = path.join(staging, file);
      mkdirSync(path.dirname(destination), { recursive: true });
      writeFileSync(destination, content, { mode: file.endsWith('.sh') ? 0o755 : 0o644 });
    }
    // mkdtemp makes a private (0700) directory; the project gets the permissions any new directory would.
    chmodSync(staging, 0o777 & ~process.umask());
    renameSync(staging, targetDir);
    return result;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
