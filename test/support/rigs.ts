/**
 * vitest globalSetup: before any suite starts, checks that every rig the suites use is installed
 * (`.ci/install-rigs.sh --check`). A missing one stops the run at once with the script's one line naming what is
 * missing and the command that installs it, instead of a wall of `spawn php ENOENT` failures.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default function checkRigs(): void {
  const check = spawnSync('bash', [path.join(root, '.ci/install-rigs.sh'), '--check'], { encoding: 'utf8' });
  if (check.status === 0) return;
  const line = check.error ? `Cannot check the test rigs: ${check.error.message}` : check.stderr.trim();
  process.stderr.write(`\n${line}\n`);
  process.exit(1);
}
