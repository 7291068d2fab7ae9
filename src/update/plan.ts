import { isUtf8 } from 'node:buffer';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE, sha256 } from '../project/manifest.js';
import type { RenderedFiles } from '../render/render.js';
import { hasConflictMarkers, mergeFile } from './merge.js';

/**
 * What happens to one file. The vocabulary of the printed plan:
 * unchanged (nothing to write), updated (you never edited it: replaced by the new render), merged (your edits and
 * the new render combined cleanly), conflict (written with markers, or left alone when it cannot be merged),
 * added (new in the render, or brought back by --restore), removed (no longer generated and never edited),
 * kept (left as you have it: edited but no longer generated), skipped (you deleted it, and it stays deleted).
 */
export type FileStatus = 'unchanged' | 'updated' | 'merged' | 'conflict' | 'added' | 'removed' | 'kept' | 'skipped';

export interface PlannedFile {
  file: string;
  status: FileStatus;
  /** Why, when the status alone does not say it. */
  reason?: string;
  /** New content to write. */
  write?: string;
  /** Delete the file. */
  remove?: boolean;
}

export type OnDisk = { kind: 'missing' } | { kind: 'other' } | { kind: 'file'; bytes: Buffer };

export function readOnDisk(root: string, file: string): OnDisk {
  const full = path.join(root, ...file.split('/'));
  let stats;
  try {
    stats = lstatSync(full);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return { kind: 'missing' };
    throw error;
  }
  return stats.isFile() ? { kind: 'file', bytes: readFileSync(full) } : { kind: 'other' };
}

export interface PlanInput {
  /** What create-byok last generated (verified against the manifest's hashes), byok.json excluded. */
  base: RenderedFiles;
  /** The new render, byok.json included. */
  next: RenderedFiles;
  restore: boolean;
  read(file: string): OnDisk;
}

const REASONS = {
  deleted: 'you deleted it, so it stays deleted; --restore brings it back',
  restored: 'you had deleted it; restored (--restore)',
  editedNoLongerGenerated: 'no longer generated; kept because you edited it',
  alreadyGone: 'no longer generated, and already deleted',
  inTheWay: 'something that is not a file is in the way; left as it is',
  notText: 'not UTF-8 text, so it cannot be merged; left as it is',
  existing: 'new in the render, but a file of yours is already there: both versions are in the file',
  leftover: 'still holds conflict markers from an earlier update',
  yourEdits: 'your edits, kept',
} as const;

function merged(file: string, ours: string, base: string, theirs: string, existing = false): PlannedFile {
  const { content, conflicts } = mergeFile(file, ours, base, theirs);
  const write = content === ours ? undefined : content;
  if (conflicts > 0) {
    return { file, status: 'conflict', reason: existing ? REASONS.existing : `${conflicts} conflicting change${conflicts === 1 ? '' : 's'}`, write };
  }
  if (hasConflictMarkers(content)) return { file, status: 'conflict', reason: REASONS.leftover, write };
  if (write === undefined) return { file, status: 'unchanged', reason: REASONS.yourEdits };
  return { file, status: 'merged', write };
}

/**
 * Decides every file, without touching the disk (the caller writes, or prints the plan for --dry-run).
 * A file is pristine when its bytes are exactly what was last generated.
 */
export function planUpdate(input: PlanInput): PlannedFile[] {
  const { base, next } = input;
  const files = [...new Set([...base.keys(), ...next.keys()])].filter((file) => file !== MANIFEST_FILE).sort();
  const plan: PlannedFile[] = [];
  for (const file of files) {
    const last = base.get(file);
    const theirs = next.get(file);
    const disk = input.read(file);

    if (disk.kind === 'other') {
      plan.push({ file, status: theirs === undefined ? 'kept' : 'conflict', reason: REASONS.inTheWay });
      continue;
    }
    if (disk.kind === 'missing') {
      if (theirs === undefined) plan.push({ file, status: 'removed', reason: REASONS.alreadyGone });
      else if (last === undefined) plan.push({ file, status: 'added', write: theirs });
      else if (input.restore) plan.push({ file, status: 'added', reason: REASONS.restored, write: theirs });
      else plan.push({ file, status: 'skipped', reason: REASONS.deleted });
      continue;
    }

    const pristine = last !== undefined && sha256(disk.bytes) === sha256(last);
    if (theirs === undefined) {
      plan.push(pristine ? { file, status: 'removed', remove: true } : { file, status: 'kept', reason: REASONS.editedNoLongerGenerated });
      continue;
    }
    if (pristine) {
      plan.push(last === theirs ? { file, status: 'unchanged' } : { file, status: 'updated', write: theirs });
      continue;
    }
    if (!isUtf8(disk.bytes)) {
      plan.push({ file, status: 'conflict', reason: REASONS.notText });
      continue;
    }
    const ours = disk.bytes.toString('utf8');
    if (ours === theirs) {
      // Already what the new render holds (the user made the same change, or adopted it by hand).
      plan.push({ file, status: 'unchanged' });
      continue;
    }
    // A file the user created where the render now puts one has no common ancestor: an empty base makes every
    // difference a conflict, so both versions end up in the file and nothing of theirs is lost.
    plan.push(merged(file, ours, last ?? '', theirs, last === undefined));
  }

  const manifest = next.get(MANIFEST_FILE);
  if (manifest !== undefined) {
    const disk = input.read(MANIFEST_FILE);
    const current = disk.kind === 'file' ? disk.bytes.toString('utf8') : undefined;
    plan.push(current === manifest ? { file: MANIFEST_FILE, status: 'unchanged' } : { file: MANIFEST_FILE, status: 'updated', write: manifest });
  }
  return plan;
}

/** Files that end the run with conflicts left in them (exit 3). */
export function conflictsOf(plan: readonly PlannedFile[]): string[] {
  return plan.filter((entry) => entry.status === 'conflict').map((entry) => entry.file);
}
