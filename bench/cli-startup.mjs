// Wall time of one generation from the packed package, against create-vite in the same run, plus package size.
//
//   npm run bench            (builds, packs, installs both CLIs in a scratch folder, runs each N times)
//   RUNS=40 npm run bench
//
// Writes the figures to bench/cli-startup.json and the README's start-up and package table (between its
// `bench:cli` markers) from them: the README's figures are never typed by hand.
//
// Runs are interleaved (ours, create-vite, bare node, ours, ...) so a noisy neighbour slows all three alike; the
// figures to compare are the medians and their ratios from one run, never absolute numbers across machines.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { benchSection, withBenchSection } from './readme.mjs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.RUNS ?? 20);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'byok-bench-'));

function sh(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

try {
  sh('npm', ['run', 'build', '--silent'], root);
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', scratch], root))[0];
  const tarball = path.join(scratch, packed.filename);

  const install = path.join(scratch, 'install');
  mkdirSync(install);
  sh('npm', ['init', '-y'], install);
  sh('npm', ['install', '--no-audit', '--no-fund', tarball], install);
  const ourPackages = readdirSync(path.join(install, 'node_modules')).filter((name) => !name.startsWith('.')).length;

  const viteDir = path.join(scratch, 'vite');
  mkdirSync(viteDir);
  sh('npm', ['init', '-y'], viteDir);
  const viteVersion = JSON.parse(readFileSync(path.join(root, 'node_modules/create-vite/package.json'), 'utf8')).version;
  sh('npm', ['install', '--no-audit', '--no-fund', `create-vite@${viteVersion}`], viteDir);

  const ours = path.join(install, 'node_modules/create-byok/bin/create-byok.js');
  const vite = path.join(viteDir, 'node_modules/create-vite/index.js');
  const work = path.join(scratch, 'out');
  mkdirSync(work);

  const commands = {
    'node -e 0': [process.execPath, ['-e', '0']],
    'create-byok (proxy)': [process.execPath, [ours, 'app', '--pattern', 'proxy', '--yes', '--no-install', '--no-git']],
    'create-vite (vanilla-ts)': [process.execPath, [vite, 'app', '--template', 'vanilla-ts', '--no-interactive']],
  };
  const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let i = 0; i < runs + 2; i++) {
    for (const [name, [command, args]] of Object.entries(commands)) {
      rmSync(path.join(work, 'app'), { recursive: true, force: true });
      const started = process.hrtime.bigint();
      const result = spawnSync(command, args, { cwd: work, stdio: 'ignore', env: { ...process.env, CI: '1' } });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
      if (i >= 2) times[name].push(ms); // two warm-up rounds
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const medianOf = (name) => Number(median(times[name]).toFixed(1));
  const figures = {
    node: process.version,
    cpus: os.cpus().length,
    runs,
    createVite: viteVersion,
    medians: {
      node: medianOf('node -e 0'),
      createByok: medianOf('create-byok (proxy)'),
      createVite: medianOf('create-vite (vanilla-ts)'),
    },
    package: { packed: packed.size, unpacked: packed.unpackedSize, files: packed.entryCount, installedPackages: ourPackages },
  };
  writeFileSync(path.join(root, 'bench/cli-startup.json'), `${JSON.stringify(figures, null, 2)}\n`);
  const readmePath = path.join(root, 'README.md');
  writeFileSync(readmePath, withBenchSection(readFileSync(readmePath, 'utf8'), figures));
  console.log(benchSection(figures));
  console.log('\nWritten to README.md (between the bench:cli markers) and bench/cli-startup.json.');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
