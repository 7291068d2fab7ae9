import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from './manifest.js';

/** One change to a project file: new content, or removal. */
export interface FileChange {
  file: string;
  write?: string;
  remove?: boolean;
}

/**
 * For tests only: fail after this many files have been moved into place, to prove that a failure half-way leaves
 * the project as it was. It can only make a write fail (and roll back); nothing else reads it.
 */
export const FAIL_AFTER_ENV = 'CREATE_BYOK_TEST_FAIL_UPDATE_AFTER';

export class ProjectWriteError extends Error {
  override name = 'ProjectWriteError';
}

interface Step {
  file: string;
  target: string;
  /** Where the previous file was moved to (inside the staging directory), if there was one. */
  backup?: string;
  /** The new file is in place. */
  placed: boolean;
  /** Directories created for the new file, outermost first. */
  createdDirs: string[];
}

const STAGING_PREFIX = '.create-byok-staging-';

/**
 * Refuses changes that would reach outside the project or that clash with what is there: a parent directory that is
 * a symbolic link leading elsewhere (writing through it would write outside the project), a parent that is a file,
 * or a directory where a file goes. Returns the problems, empty when the changes can be applied.
 */
export function findObstacles(root: string, changes: readonly FileChange[]): string[] {
  const realRoot = realpathSync(root);
  const problems: string[] = [];
  for (const change of changes) {
    const parts = change.file.split('/');
    let current = root;
    for (const [index, part] of parts.entries()) {
      current = path.join(current, part);
      let stats;
      try {
        stats = lstatSync(current);
      } catch {
        break; // Missing from here on: created inside the project.
      }
      const last = index === parts.length - 1;
      if (!last && stats.isSymbolicLink()) {
        const resolved = realpathSync(current);
        if (resolved !== realRoot && !resolved.startsWith(realRoot + path.sep)) {
          problems.push(`${parts.slice(0, index + 1).join('/')} is a link to ${resolved}, outside the project`);
          break;
        }
      } else if (!last && !stats.isDirectory() && !stats.isSymbolicLink()) {
        problems.push(`${parts.slice(0, index + 1).join('/')} is a file where ${change.file} needs a directory`);
        break;
      } else if (last && stats.isDirectory()) {
        problems.push(`${change.file} is a directory where a file goes`);
      }
    }
  }
  return problems;
}

/**
 * Writes the changes as one transaction. Everything new is first written into a staging directory inside the
 * project (same file system, so every move is a rename); then each file is moved into place, its previous
 * version moved aside into the same staging directory; byok.json goes last. If anything fails, every move made
 * so far is undone in reverse, so the project is exactly as it was.
 *
 * All of it is synchronous on purpose: a Ctrl-C (whose handler runs on the event loop) cannot land between two
 * renames, so an interrupted update never leaves a project half-updated. The work is a few dozen small files.
 */
export function writeChanges(root: string, changes: readonly FileChange[], env: NodeJS.ProcessEnv = process.env): string[] {
  const obstacles = findObstacles(root, changes);
  if (obstacles.length > 0) throw new ProjectWriteError(`nothing was changed: ${obstacles.join('; ')}.`);
  const operations = changes
    .filter((entry) => entry.write !== undefined || entry.remove)
    .sort((a, b) => Number(a.file === MANIFEST_FILE) - Number(b.file === MANIFEST_FILE));
  if (operations.length === 0) return [];
  const failAfter = env[FAIL_AFTER_ENV] === undefined ? Infinity : Number(env[FAIL_AFTER_ENV]);

  const staging = mkdtempSync(path.join(root, STAGING_PREFIX));
  const fresh = path.join(staging, 'new');
  const previous = path.join(staging, 'previous');
  const steps: Step[] = [];
  let keepStaging = false;
  try {
    // 1. Stage every new file. The project is not touched yet.
    for (const entry of operations) {
      if (entry.write === undefined) continue;
      const target = path.join(root, ...entry.file.split('/'));
      const staged = path.join(fresh, ...entry.file.split('/'));
      mkdirSync(path.dirname(staged), { recursive: true });
      writeFileSync(staged, entry.write, { mode: modeFor(entry.file, target) });
    }
    // 2. Move each into place, the old file aside first.
    let current = '';
    try {
      for (const entry of operations) {
        current = entry.file;
        if (steps.length >= failAfter) throw new Error(`stopped after ${failAfter} files (${FAIL_AFTER_ENV} is set)`);
        const target = path.join(root, ...entry.file.split('/'));
        const step: Step = { file: entry.file, target, placed: false, createdDirs: [] };
        steps.push(step);
        if (exists(target)) {
          const backup = path.join(previous, ...entry.file.split('/'));
          mkdirSync(path.dirname(backup), { recursive: true });
          renameSync(target, backup);
          step.backup = backup;
        }
        if (entry.write !== undefined) {
          step.createdDirs = makeParents(root, path.dirname(target));
          renameSync(path.join(fresh, ...entry.file.split('/')), target);
          step.placed = true;
        }
      }
    } catch (error) {
      const failures = rollBack(steps);
      if (failures.length > 0) {
        keepStaging = true;
        throw new ProjectWriteError(
          `writing ${current} failed (${(error as Error).message}), and undoing it failed for ` +
            `${failures.join(', ')}: their previous versions are in ${previous}.`,
        );
      }
      throw new ProjectWriteError(`writing ${current} failed (${(error as Error).message}); every file was put back as it was.`);
    }
  } catch (error) {
    if (error instanceof ProjectWriteError) throw error;
    throw new ProjectWriteError(`preparing the new files failed (${(error as Error).message}); nothing was changed.`);
  } finally {
    if (!keepStaging) rmSync(staging, { recursive: true, force: true });
  }

  // Directories emptied by removals go too (never the project root).
  for (const entry of operations) if (entry.remove) removeEmptyParents(root, path.dirname(path.join(root, ...entry.file.split('/'))));
  return operations.map((entry) => entry.file);
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A replaced file keeps its permissions (a script the user made executable stays so); new ones get the usual. */
function modeFor(file: string, target: string): number {
  try {
    return statSync(target).mode & 0o777;
  } catch {
    return file.endsWith('.sh') ? 0o755 : 0o644;
  }
}

/** Creates the missing parents of `dir` and returns them outermost first (so they can be removed again). */
function makeParents(root: string, dir: string): string[] {
  const missing: string[] = [];
  for (let current = dir; current !== root && current.startsWith(root + path.sep) && !exists(current); current = path.dirname(current)) {
    missing.unshift(current);
  }
  for (const created of missing) mkdirSync(created);
  return missing;
}

/** Undoes the steps in reverse; returns the files that could not be restored. */
function rollBack(steps: Step[]): string[] {
  const failures: string[] = [];
  for (const step of [...steps].reverse()) {
    try {
      if (step.placed) unlinkSync(step.target);
      for (const dir of [...step.createdDirs].reverse()) rmdirSync(dir);
      if (step.backup) renameSync(step.backup, step.target);
    } catch {
      failures.push(step.file);
    }
  }
  return failures;
}

function removeEmptyParents(root: string, dir: string): void {
  for (let current = dir; current !== root && current.startsWith(root + path.sep); current = path.dirname(current)) {
    try {
      if (readdirSync(current).length > 0) return;
      rmdirSync(current);
    } catch {
      return;
    }
  }
}
