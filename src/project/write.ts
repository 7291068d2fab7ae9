import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RenderedFiles } from '../render/render.js';

export interface WriteResult {
  written: string[];
  /** Files that existed before and were replaced (only with --force). */
  overwritten: string[];
}

/** Temporary directories still on disk, removed if the process is interrupted. */
const pendingStaging = new Set<string>();

export function removePendingStagingSync(removeSync: (dir: string) => void): void {
  for (const dir of pendingStaging) removeSync(dir);
  pendingStaging.clear();
}

/** Where a file would land, and whether it replaces one (for --dry-run and reports). */
export function planWrite(targetDir: string, files: RenderedFiles): Array<{ file: string; action: 'create' | 'overwrite' }> {
  return [...files.keys()].sort().map((file) => ({
    file,
    action: existsSync(path.join(targetDir, file)) ? 'overwrite' : 'create',
  }));
}

/**
 * Writes the project so that a failure or Ctrl-C leaves nothing half-written: everything is rendered into a
 * staging directory beside the target (same file system, so moves are renames), then moved into place. A new
 * target is one rename; an existing one (empty, or with --force) gets one rename per file. Nothing the target
 * held besides the generated files is touched. Synchronous on purpose: a few dozen small files are written
 * faster without a thread-pool round trip each, and no signal can land between two moves.
 */
export function writeProject(targetDir: string, files: RenderedFiles): WriteResult {
  const parent = path.dirname(targetDir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(path.join(parent, `.${path.basename(targetDir)}.create-byok-`));
  pendingStaging.add(staging);
  try {
    for (const [file, content] of files) {
      const destination = path.join(staging, file);
      mkdirSync(path.dirname(destination), { recursive: true });
      writeFileSync(destination, content, { mode: file.endsWith('.sh') ? 0o755 : 0o644 });
    }
    const plan = planWrite(targetDir, files);
    if (!existsSync(targetDir)) {
      renameSync(staging, targetDir);
    } else {
      for (const { file } of plan) {
        const destination = path.join(targetDir, file);
        mkdirSync(path.dirname(destination), { recursive: true });
        renameSync(path.join(staging, file), destination);
      }
    }
    return {
      written: plan.map(({ file }) => file),
      overwritten: plan.filter(({ action }) => action === 'overwrite').map(({ file }) => file),
    };
  } finally {
    pendingStaging.delete(staging);
    rmSync(staging, { recursive: true, force: true });
  }
}
