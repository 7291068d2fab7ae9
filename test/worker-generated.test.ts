// The generated Worker project as its user gets it: its own `npm test` passes (the Worker in workerd through
// wrangler's test harness, against a local stub; run on Node 22, which wrangler needs), with either rate-limit
// store; and `update` refuses to turn a Worker into the Node proxy or back (a new project, not an update).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProject, runCli, tempDir } from './support/cli.js';
import { generateWorker, node22 } from './support/worker-run.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((cleanup) => cleanup()));

describe.each(['durable-object', 'rate-limit-binding'])('the generated project’s own npm test (--rate-limit-store %s)', (store) => {
  it('passes in workerd, offline', async () => {
    const generated = await generateWorker(['anthropic', 'openai', 'google'], { extraArgs: ['--rate-limit-store', store] });
    cleanups.push(generated.cleanup);
    const pkg = JSON.parse(readFileSync(path.join(generated.dir, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toBeUndefined();
    expect(Object.keys(pkg.devDependencies)).toEqual(['wrangler']);
    const result = await execa('npm', ['test'], {
      cwd: generated.dir,
      env: { PATH: `${path.dirname(node22())}${path.delimiter}${process.env.PATH ?? ''}`, WRANGLER_SEND_METRICS: 'false' },
      reject: false,
      all: true,
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/# fail 0/);
    expect(result.all).toMatch(/# pass (1[0-9]|[2-9][0-9])/);

    // What `npx wrangler deploy` would upload: the configuration is valid and the bindings are there.
    const dryRun = await execa(node22(), ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', 'dist'], {
      cwd: generated.dir,
      env: { PATH: process.env.PATH ?? '', HOME: generated.dir, WRANGLER_SEND_METRICS: 'false' },
      reject: false,
      all: true,
    });
    expect(dryRun.exitCode, dryRun.all).toBe(0);
    if (store === 'durable-object') expect(dryRun.all).toMatch(/env\.RATE_LIMIT_BUCKETS \(RateLimitBucket\)\s+Durable Object/);
    else expect(dryRun.all).toMatch(/env\.KEY_RATE_LIMITER \(10 requests\/10s\)[\s\S]*env\.IP_RATE_LIMITER \(20 requests\/60s\)/);
  }, 180_000);
});

describe('update', () => {
  it('refuses to change a worker project into a proxy, and a proxy into a worker, with exit 2 and nothing written', async () => {
    const { dir: root, cleanup } = tempDir('byok-worker-update-');
    cleanups.push(cleanup);
    const worker = path.join(root, 'edge');
    const proxy = path.join(root, 'server');
    await generateProject(worker, ['--pattern', 'worker', '--provider', 'openai']);
    await generateProject(proxy, ['--pattern', 'proxy', '--provider', 'openai']);
    for (const [dir, other] of [[worker, 'proxy'], [proxy, 'worker']] as const) {
      const before = readFileSync(path.join(dir, 'byok.json'), 'utf8');
      const result = await runCli(['update', dir, '--pattern', other, '--yes', '--allow-dirty']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/new project/);
      expect(readFileSync(path.join(dir, 'byok.json'), 'utf8')).toBe(before);
    }
    const store = await runCli(['update', worker, '--rate-limit-store', 'redis', '--yes', '--allow-dirty']);
    expect(store.code).toBe(2);
    expect(store.stderr).toMatch(/Valid values: durable-object, rate-limit-binding/);
  });
});
