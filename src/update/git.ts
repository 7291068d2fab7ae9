import { exec } from '../project/exec.js';
import { insideWorkTree } from '../project/post-steps.js';

/**
 * What `git status` reports as uncommitted under `dir` (tracked changes and untracked files; ignored files do not
 * count). Empty when the tree is clean, when `dir` is not in a work tree, or when git is not installed: then there
 * is nothing to protect with this check.
 */
export async function uncommittedChanges(dir: string): Promise<string[]> {
  if (!(await insideWorkTree(dir))) return [];
  const status = await exec('git', ['status', '--porcelain', '--untracked-files=all', '--', '.'], { cwd: dir, reject: false });
  if (status.exitCode !== 0) return [];
  return status.stdout
    .split('\n')
    .map((line) => line.slice(3).trim())
    .filter(Boolean);
}
