// Wall time of one generation from the packed package, against create-vite in the same run, plus package size.
//
//   npm run bench            (builds, packs, installs both CLIs in a scratch folder, runs each N times)
//   RUNS=40 npm run bench
//
// Runs are interleaved (ours, create-vite, bare node, ours, ...) so a noisy neighbour slows all three alike; the
// figures to compare are the medians and their ratios from one run, never absolute numbers across machines.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  const base = median(times['node -e 0']);
  console.log(`create-byok ${packed.version}, create-vite ${viteVersion}, node ${process.version}, ${runs} runs each, interleaved\n`);
  console.log('| command | median | over `node -e 0` |');
  console.log('|---|---:|---:|');
  for (const [name, values] of Object.entries(times)) {
    const m = median(values);
    console.log(`| ${name} | ${m.toFixed(1)} ms | ${name === 'node -e 0' ? '-' : `+${(m - base).toFixed(1)} ms`} |`);
  }
  const ratio = (median(times['create-byok (proxy)']) - base) / (median(times['create-vite (vanilla-ts)']) - base);
  console.log(`\ncreate-byok's cost over bare node is ${ratio.toFixed(2)}x create-vite's.`);
  console.log(`Packed tarball: ${(packed.size / 1024).toFixed(1)} kB (${packed.entryCount} files, unpacked ${(packed.unpackedSize / 1024).toFixed(1)} kB); installed packages: ${ourPackages}.`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
