// The proxy pattern, generated for each provider alone and for several together: the project is zero-dependency
// (only node: built-ins), and its own test suite (`npm test`, node:test) passes.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROVIDER_IDS } from '../src/providers/index.js';
import { repoRoot } from './support/cli.js';
import { generateProxy } from './support/proxy-run.js';

const run = promisify(execFile);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js') && !entry.parentPath.includes('node_modules'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const combinations = [...PROVIDER_IDS.map((id) => [id]), ['anthropic', 'openai', 'google'], [...PROVIDER_IDS]];

describe.each(combinations.map((providers) => [providers.join(','), providers] as const))('proxy for %s', (_label, providers) => {
  it('imports only node: built-ins and its own modules, and passes its own npm test', async () => {
    const { dir, cleanup } = await generateProxy([...providers]);
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(manifest.dependencies).toBeUndefined();
      expect(manifest.devDependencies).toBeUndefined();
      for (const file of sourceFiles(dir)) {
        const source = readFileSync(file, 'utf8');
        for (const [, specifier] of source.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)) {
          if (specifier === undefined) continue;
          expect(specifier.startsWith('node:') || specifier.startsWith('.'), `${path.relative(dir, file)} imports ${specifier}`).toBe(true);
        }
      }
      const providersSource = readFileSync(path.join(dir, 'src/providers.js'), 'utf8');
      for (const id of PROVIDER_IDS) expect(providersSource.includes(`  ${id}: {`)).toBe(providers.includes(id));
      // The Redis store belongs to --rate-limit-store redis only.
      expect(existsSync(path.join(dir, 'src/rate-limit-redis.js'))).toBe(false);
      await expectOwnTestsPass(dir);
    } finally {
      cleanup();
    }
  });
});

describe('proxy with --rate-limit-store redis', () => {
  it('depends on ioredis alone, imports it in its Redis store alone, and passes its own npm test', async () => {
    const { dir, cleanup } = await generateProxy(['anthropic', 'google'], { extraArgs: ['--rate-limit-store', 'redis'] });
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(Object.keys(manifest.dependencies)).toEqual(['ioredis']);
      for (const file of sourceFiles(dir)) {
        const importsRedis = /from 'ioredis'/.test(readFileSync(file, 'utf8'));
        expect(importsRedis, path.relative(dir, file)).toBe(path.basename(file) === 'rate-limit-redis.js');
      }
      // What `npm install` would give it.
      mkdirSync(path.join(dir, 'node_modules'));
      symlinkSync(path.join(repoRoot, 'node_modules/ioredis'), path.join(dir, 'node_modules/ioredis'), 'dir');
      await expectOwnTestsPass(dir);
    } finally {
      cleanup();
    }
  });
});

async function expectOwnTestsPass(dir: string) {
  const result = await run('npm', ['test'], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 50_000 }).catch(
    (error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`npm test failed in the generated proxy:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
    },
  );
  // node:test reports in TAP on Node 20 and 22 (`# pass 56`) and in its spec format on 24 (`ℹ pass 56`).
  expect(result.stdout).toMatch(/^[#ℹ] fail 0$/m);
  expect(result.stdout).toMatch(/^[#ℹ] pass [1-9]\d*$/m);
}
