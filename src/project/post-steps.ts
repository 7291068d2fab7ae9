import { exec } from './exec.js';
import { installCommand, type PackageManager } from './package-manager.js';

/** True when `dir` is inside a git work tree (then create never runs `git init`; update checks it is clean). */
export async function insideWorkTree(dir: string): Promise<boolean> {
  const result = await exec('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir, reject: false });
  return result.exitCode === 0 && result.stdout.trim() === 'true';
}

export type GitOutcome = 'created' | 'inside-work-tree' | 'git-missing' | 'failed';

/**
 * `git init` and an initial commit of the generated files (only those: with --force the directory may hold the
 * user's own); skipped inside an existing work tree or without git.
 */
export async function initGit(dir: string, files: readonly string[]): Promise<GitOutcome> {
  try {
    await exec('git', ['--version']);
  } catch {
    return 'git-missing';
  }
  if (await insideWorkTree(dir)) return 'inside-work-tree';
  try {
    await exec('git', ['init', '--quiet'], { cwd: dir });
    await exec('git', ['add', '--', ...files], { cwd: dir });
    const identity = (await hasIdentity(dir)) ? [] : ['-c', 'user.name=create-byok', '-c', 'user.email=create-byok@localhost'];
    await exec('git', [...identity, 'commit', '--quiet', '--no-verify', '-m', 'Initial commit from create-byok'], { cwd: dir });
    return 'created';
  } catch {
    return 'failed';
  }
}

/** The user's own git identity is used when configured; a machine without one still gets its initial commit. */
async function hasIdentity(dir: string): Promise<boolean> {
  const result = await exec('git', ['config', 'user.email'], { cwd: dir, reject: false });
  return result.exitCode === 0 && result.stdout.trim() !== '';
}

/** Installs dependencies with the detected package manager. */
export async function installDependencies(dir: string, pm: PackageManager): Promise<void> {
  const [command, ...args] = installCommand(pm).split(' ');
  await exec(command!, args, { cwd: dir });
}
