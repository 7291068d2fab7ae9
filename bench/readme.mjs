// The README's start-up and package figures, rendered from what `npm run bench` measured (bench/cli-startup.json).
// The bench writes them between the README's `bench:cli` markers; test/repository.test.ts checks that the README
// holds exactly this rendering of the recorded figures, so nobody edits them by hand.

const START = '<!-- bench:cli -->';
const END = '<!-- /bench:cli -->';

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/** @param {{ node: string, cpus: number, runs: number, createVite: string, medians: { node: number, createByok: number, createVite: number }, package: { packed: number, unpacked: number, files: number, installedPackages: number } }} figures */
export function benchSection(figures) {
  const { medians } = figures;
  const over = (ms) => `+${(ms - medians.node).toFixed(1)} ms`;
  const ratio = (medians.createByok - medians.node) / (medians.createVite - medians.node);
  return [
    `\`RUNS=${figures.runs} npm run bench\`, Node ${figures.node.replace(/^v/, '')} on ${figures.cpus} vCPUs, the packed tarball installed in a`,
    'scratch folder, runs interleaved, medians:',
    '',
    '| command | median | over `node -e 0` |',
    '|---|---:|---:|',
    `| \`node -e 0\` | ${medians.node.toFixed(1)} ms | - |`,
    `| \`create-byok app --pattern proxy --yes --no-install --no-git\` | ${medians.createByok.toFixed(1)} ms | ${over(medians.createByok)} |`,
    `| \`create-vite app --template vanilla-ts --no-interactive\` (${figures.createVite}) | ${medians.createVite.toFixed(1)} ms | ${over(medians.createVite)} |`,
    '',
    `create-byok costs ${ratio.toFixed(1)}x create-vite's time over bare node.`,
    '',
    `Package: ${kB(figures.package.packed)} packed (${kB(figures.package.unpacked)} unpacked, ${figures.package.files} files), ` +
      `${figures.package.installedPackages} package installed (no dependencies).`,
  ].join('\n');
}

/** The README text with its bench section replaced by the rendering of `figures`. */
export function withBenchSection(readme, figures) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} section`);
  return `${readme.slice(0, start + START.length)}\n${benchSection(figures)}\n${readme.slice(end)}`;
}

/** The bench section as the README holds it now. */
export function readmeBenchSection(readme) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  return start < 0 || end < start ? undefined : readme.slice(start + START.length, end).trim();
}
