// Bundles the CLI and every runtime dependency into ESM (an entry plus chunks loaded on demand), so
// `npx create-byok` downloads one small package with nothing to resolve (as create-vite and create-next-app ship). Templates are precompiled, one module
// per pattern beside the bundle (as create-vite ships its template folders): the CLI carries the Handlebars runtime
// only, compiles nothing when it runs, and loads only the templates of the pattern it generates.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Handlebars from 'handlebars';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const templatesRoot = path.join(root, 'templates');

function listFiles(dir, relative = '') {
  return readdirSync(path.join(dir, relative), { withFileTypes: true })
    .flatMap((entry) => {
      const entryPath = relative ? `${relative}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(dir, entryPath) : [entryPath];
    })
    .sort();
}

/**
 * One ESM module per pattern holding its templates, precompiled; loaded only for the pattern being generated. The
 * shared core (templates/_core/) is one more such module, whose templates the loader registers as partials.
 */
function writePrecompiledTemplates() {
  const source = readFileSync(path.join(root, 'src/render/templates.ts'), 'utf8');
  // One source of truth for the compile options: read them from the module the bundle replaces.
  const options = JSON.parse(
    source
      .match(/COMPILE_OPTIONS = (\{[^}]*\})/)[1]
      .replace(/(\w+):/g, '"$1":')
      .replace(/'/g, '"'),
  );
  // Written beside the old set and swapped in, so a CLI started during a rebuild never finds it half-written.
  const final = path.join(root, 'dist/templates');
  const next = `${final}.next-${process.pid}`;
  mkdirSync(next, { recursive: true });
  const patterns = readdirSync(templatesRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  for (const { name } of patterns) {
    const files = listFiles(path.join(templatesRoot, name)).map((file) => {
      const text = readFileSync(path.join(templatesRoot, name, file), 'utf8');
      return file.endsWith('.hbs')
        ? `{ path: ${JSON.stringify(file)}, spec: ${Handlebars.precompile(text, options)} }`
        : `{ path: ${JSON.stringify(file)}, content: ${JSON.stringify(text)} }`;
    });
    writeFileSync(path.join(next, `${name}.js`), `export default [\n${files.join(',\n')}\n];\n`);
  }
  const old = `${final}.old-${process.pid}`;
  if (existsSync(final)) renameSync(final, old);
  renameSync(next, final);
  rmSync(old, { recursive: true, force: true });
}

/** Replaces src/render/templates.ts in the bundle: same exports, reading dist/templates/<pattern>.js. */
const PRECOMPILED_LOADER = `
import Handlebars from 'handlebars/runtime';
import { registerHelpers } from ${JSON.stringify(path.join(root, 'src/render/engine.ts'))};
export const TEMPLATE_SUFFIX = '.hbs';
const engine = Handlebars.create();
registerHelpers(engine);
let partials;
async function registerCorePartials() {
  const { default: files } = await import(new URL('./templates/_core.js', import.meta.url).href);
  for (const file of files) engine.registerPartial('core/' + file.path.replace(/\\..*$/, ''), engine.template(file.spec));
}
export async function loadTemplates(pattern) {
  await (partials ??= registerCorePartials());
  const { default: files } = await import(new URL('./templates/' + pattern + '.js', import.meta.url).href);
  return files.map((file) =>
    file.spec ? { path: file.path, render: engine.template(file.spec) } : { path: file.path, content: file.content });
}
`;

const precompiledTemplates = {
  name: 'precompiled-templates',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\/templates\.js$/ }, (args) =>
      args.importer.endsWith(path.join('src', 'render', 'render.ts'))
        ? { path: 'precompiled-templates', namespace: 'byok' }
        : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'byok' }, () => ({ contents: PRECOMPILED_LOADER, loader: 'js', resolveDir: root }));
  },
};

/**
 * dist/LICENSES.md: the license of every package bundled into dist/, with its notice, as their licenses ask when
 * their code is redistributed (Vite ships the same in its LICENSE.md). Taken from the bundle's own inputs, so a
 * dependency added tomorrow is listed without anyone remembering to.
 */
function writeBundledLicenses(metafile) {
  const packageDirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const rest = input.slice(at + 'node_modules/'.length).split('/');
    packageDirs.add(path.join(root, input.slice(0, at), 'node_modules', ...rest.slice(0, rest[0].startsWith('@') ? 2 : 1)));
  }
  const packages = [...packageDirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const licenseFile = readdirSync(dir).find((file) => /^(licen[cs]e|copying)(\.|$)/i.test(file));
    if (!licenseFile) throw new Error(`${pkg.name} is bundled but ships no license file: its notice cannot travel with it`);
    const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
    const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    return { name: pkg.name, version: pkg.version, license: pkg.license, author, repository, text: readFileSync(path.join(dir, licenseFile), 'utf8').trim() };
  });
  packages.sort((a, b) => a.name.localeCompare(b.name));
  const own = readFileSync(path.join(root, 'LICENSE'), 'utf8').trim();
  const sections = packages.map((pkg) =>
    [
      `## ${pkg.name} ${pkg.version}`,
      '',
      `License: ${pkg.license}`,
      ...(pkg.author ? [`By: ${pkg.author}`] : []),
      ...(pkg.repository ? [`Repository: ${pkg.repository.replace(/^git\+/, '')}`] : []),
      '',
      pkg.text.replace(/^/gm, '> ').replace(/^> $/gm, '>'),
    ].join('\n'),
  );
  const text = [
    '# Licenses',
    '',
    'create-byok is released under the MIT license:',
    '',
    own.replace(/^/gm, '> ').replace(/^> $/gm, '>'),
    '',
    '# Bundled dependencies',
    '',
    `The files in dist/ also contain code from these ${packages.length} packages, under their licenses (${[...new Set(packages.map((pkg) => pkg.license))].sort().join(', ')}).`,
    'This file is written by the build (scripts/build.mjs) from the bundle\'s inputs.',
    '',
    sections.join('\n\n---------------------------------------\n\n'),
    '',
  ].join('\n');
  writeFileSync(path.join(root, 'dist/LICENSES.md'), text);
}

writePrecompiledTemplates();
const result = await build({
  entryPoints: [path.join(root, 'src/index.ts')],
  outdir: path.join(root, 'dist'),
  // Each command's modules (prompts, execa, update) are chunks loaded when that command runs: V8 then compiles
  // only what the run needs, which halves the bundle's share of start-up. Still no runtime dependencies.
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: process.env.MINIFY !== '0',
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [precompiledTemplates],
  // Bundled CommonJS (handlebars) calls require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  metafile: true,
});

writeBundledLicenses(result.metafile);

// Chunks of an earlier build must not ship; removed after this one is written, so dist/ is never without an entry.
const current = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(root, file)));
for (const entry of readdirSync(path.join(root, 'dist'))) {
  const file = path.join(root, 'dist', entry);
  if (entry.endsWith('.js') && !current.has(file)) rmSync(file);
}
