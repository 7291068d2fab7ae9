// Bundles the CLI and every runtime dependency into one ESM file, so `npx create-byok` downloads one small
// package with no dependencies to resolve (as create-vite and create-next-app ship).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // Bundled CommonJS (handlebars, fs-extra) calls require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
