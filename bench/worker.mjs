// The generated Worker's requests/s under local workerd (`wrangler dev`, on Node 22), beside the generated Node
// proxy's, the upstream's own, and a minimal pass-through Worker under the same `wrangler dev` (the ceiling of
// local workerd, as bench/proxy.mjs's bare pass-through is the ceiling of a Node proxy), in the same run. A figure, not a goal: local workerd is not the edge (no
// Cloudflare network, wrangler's local proxy in front, one process on a shared machine), and a Durable Object
// call that is a local hop here is a network round trip there.
//
//   node bench/worker.mjs                    (builds, generates both into a scratch folder, runs everything)
//   DURATION=8 ROUNDS=3 node bench/worker.mjs
//
// autocannon, 10 connections, POST of a small chat request to /openai/v1/chat/completions, answer a small JSON
// body (bench/proxy.mjs's upstream). Targets run interleaved (upstream, proxy, worker, worker, ...), medians over
// rounds. Limits are out of reach in both, so the limiter runs on each request but never refuses one. Needs
// Node 22 in .rigs (bash .ci/install-node.sh 22) and the npm registry once (wrangler, cached in node_modules/.cache).
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node22 = path.join(root, '.rigs/node-22/node_modules/.bin/node');
const duration = Number(process.env.DURATION ?? 5);
const rounds = Number(process.env.ROUNDS ?? 3);
const ports = { upstream: 18201, proxy: 18202, worker: 18203, inspector: 18204, passThrough: 18205, passThroughInspector: 18206 };
const OUT_OF_REACH = { RATE_LIMIT_BURST: '1000000000', RATE_LIMIT_PER_MINUTE: '1000000000', IP_RATE_LIMIT_BURST: '1000000000' };

if (!existsSync(node22)) {
  process.stderr.write('Node 22 is missing (wrangler 4 needs Node >= 22.12): run `bash .ci/install-node.sh 22`\n');
  process.exit(1);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'byok-bench-worker-'));
const children = [];
const start = (command, args, options) => {
  const child = spawn(command, args, { detached: true, ...options });
  children.push(child);
  return child;
};
try {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore' });
  const base = ['--provider', 'openai', '--yes', '--no-git', '--no-install', '--base-url', `openai=http://127.0.0.1:${ports.upstream}/openai`];
  const proxyDir = path.join(scratch, 'proxy');
  const workerDir = path.join(scratch, 'worker');
  execFileSync(process.execPath, [path.join(root, 'bin/create-byok.js'), proxyDir, '--pattern', 'proxy', ...base], { stdio: 'ignore' });
  execFileSync(process.execPath, [path.join(root, 'bin/create-byok.js'), workerDir, '--pattern', 'worker', ...base], { stdio: 'ignore' });
  linkWorkerDependencies(workerDir);
  writeFileSync(path.join(workerDir, '.dev.vars'), `KEY_FINGERPRINT_SECRET=${randomBytes(32).toString('hex')}\n`);

  const upstream = start(process.execPath, [path.join(root, 'bench/proxy.mjs'), 'upstream', String(ports.upstream)]);
  await new Promise((resolve) => upstream.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve()));

  const proxyLog = path.join(scratch, 'proxy.log');
  start(process.execPath, [path.join(proxyDir, 'server.js')], {
    cwd: proxyDir,
    env: { PATH: process.env.PATH, PORT: String(ports.proxy), ...OUT_OF_REACH },
    stdio: ['ignore', openSync(proxyLog, 'a'), 'inherit'],
  });
  await waitFor(() => readFileSync(proxyLog, 'utf8').includes('"listening"'));

  // The ceiling: a Worker that only passes the request on, under the same wrangler dev.
  const passThroughDir = path.join(scratch, 'pass-through');
  mkdirSync(path.join(passThroughDir, 'src'), { recursive: true });
  writeFileSync(
    path.join(passThroughDir, 'wrangler.jsonc'),
    JSON.stringify({ name: 'pass-through', main: 'src/index.js', compatibility_date: '2026-11-01' }),
  );
  writeFileSync(
    path.join(passThroughDir, 'src/index.js'),
    `export default { fetch: (request) => fetch('http://127.0.0.1:${ports.upstream}' + new URL(request.url).pathname, request) };\n`,
  );
  symlinkSync(path.join(workerDir, 'node_modules'), path.join(passThroughDir, 'node_modules'), 'dir');

  const workerLog = path.join(scratch, 'worker.log');
  const vars = Object.entries(OUT_OF_REACH).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  const wranglerDev = (dir, port, inspector, log, extra = []) =>
    start(node22, [
      path.join(dir, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '--ip', '127.0.0.1', '--port', String(port),
      '--inspector-port', String(inspector), '--show-interactive-dev-session=false', ...extra,
    ], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
    });
  wranglerDev(workerDir, ports.worker, ports.inspector, workerLog, vars);
  await waitFor(() => readFileSync(workerLog, 'utf8').includes('Ready on'), 60_000);
  const passThroughLog = path.join(scratch, 'pass-through.log');
  wranglerDev(passThroughDir, ports.passThrough, ports.passThroughInspector, passThroughLog);
  await waitFor(() => readFileSync(passThroughLog, 'utf8').includes('Ready on'), 60_000);

  const key = `sk-bench-${'x'.repeat(40)}`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
  const targets = [
    { id: 'upstream', label: 'the upstream directly', url: `http://127.0.0.1:${ports.upstream}/openai/v1/chat/completions` },
    { id: 'proxy', label: 'generated Node proxy (node server.js)', url: `http://127.0.0.1:${ports.proxy}/openai/v1/chat/completions` },
    { id: 'passThrough', label: 'minimal pass-through Worker (wrangler dev)', url: `http://127.0.0.1:${ports.passThrough}/openai/v1/chat/completions` },
    { id: 'worker', label: 'generated Worker (wrangler dev, Durable Object limits)', url: `http://127.0.0.1:${ports.worker}/openai/v1/chat/completions` },
  ];
  const autocannon = (await import('autocannon')).default;
  const results = Object.fromEntries(targets.map((target) => [target.id, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const target of targets) {
      await autocannon({ url: target.url, method: 'POST', headers, body, connections: 10, duration: 1 }); // warm-up
      const run = await autocannon({ url: target.url, method: 'POST', headers, body, connections: 10, duration });
      if (run.non2xx || run.errors) throw new Error(`${target.label}: ${run.non2xx} non-2xx answers, ${run.errors} errors`);
      results[target.id].push({ rps: run.requests.average, p99: run.latency.p99 });
    }
  }
  const summary = Object.fromEntries(
    targets.map((target) => [target.id, { rps: Math.round(median(results[target.id].map((r) => r.rps))), p99: median(results[target.id].map((r) => r.p99)) }]),
  );
  process.stdout.write(`Node ${process.versions.node} (proxy, autocannon), wrangler dev on Node ${execFileSync(node22, ['--version']).toString().trim()}, ${os.cpus().length} vCPUs, DURATION=${duration} ROUNDS=${rounds}, medians:\n\n`);
  process.stdout.write('| target | requests/s | p99 |\n|---|---:|---:|\n');
  for (const target of targets) process.stdout.write(`| ${target.label} | ${summary[target.id].rps} | ${summary[target.id].p99} ms |\n`);
  const ratio = (a, b) => `${Math.round((summary[a].rps / summary[b].rps) * 100)}%`;
  process.stdout.write(`\nWorker / pass-through Worker: ${ratio('worker', 'passThrough')}; Worker / Node proxy: ${ratio('worker', 'proxy')}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'worker', duration, rounds, summary })}\n`);
  const leaked = [readFileSync(proxyLog, 'utf8'), readFileSync(workerLog, 'utf8')].some((text) => text.includes(key));
  if (leaked) throw new Error('the bench key appeared in a log');
} finally {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
  rmSync(scratch, { recursive: true, force: true });
}

/** The Worker's devDependencies from the cache the test suites fill (test/support/worker-run.ts), or installed there. */
function linkWorkerDependencies(dir) {
  const { devDependencies } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const hash = createHash('sha256').update(JSON.stringify(devDependencies)).digest('hex').slice(0, 12);
  const cache = path.join(root, 'node_modules/.cache/create-byok-worker', hash);
  if (!existsSync(path.join(cache, '.installed'))) {
    mkdirSync(cache, { recursive: true });
    writeFileSync(path.join(cache, 'package.json'), JSON.stringify({ private: true, devDependencies }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: cache,
      env: { ...process.env, PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH}` },
      stdio: 'inherit',
    });
    writeFileSync(path.join(cache, '.installed'), '');
  }
  symlinkSync(path.join(cache, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

async function waitFor(check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
