import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GeneratorInfo {
  name: string;
  version: string;
  root: string;
  templates: string;
}

let cached: GeneratorInfo | undefined;

/**
 * The create-byok package this code runs from: the bundle (`dist/index.js`) and the sources (`src/...`, under
 * tests) both find it by walking up to its package.json.
 */
export function generatorInfo(): GeneratorInfo {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string };
      if (pkg.name === 'create-byok') {
        cached = { name: pkg.name, version: pkg.version, root: dir, templates: path.join(dir, 'templates') };
        return cached;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the create-byok package root');
    dir = parent;
  }
}
