import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PROVIDERS } from '../src/providers.js';
import { allowedPath, fakeKey, keyHeaders, startStubProvider } from './helpers.js';

const serverPath = fileURLToPath(new URL('../server.js', import.meta.url));
const [[id, provider]] = Object.entries(PROVIDERS);

/**
 * Starts `node server.js` and waits for its "listening" line. `exited` is watched from the start: a test that
 * began listening for 'exit' only after awaiting something else could miss it and wait forever.
 */
async function startServer(env) {
  const child = spawn(process.execPath, [serverPath], {
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output.stderr += chunk));
  const url = await new Promise((resolve, reject) => {
    const check = () => {
      const line = output.stdout.split('\n').find((text) => text.includes('"listening"'));
      if (line) resolve(JSON.parse(line).url);
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${output.stderr}`)));
  });
  return { child, url, output, exited };
}

describe('server.js', { timeout: 20_000 }, () => {
  let stub;
  before(async () => {
    stub = await startStubProvider();
  });
  after(() => stub.close());

  it('on SIGTERM: /healthz 503 at once, serves through the grace period, then refuses, drains and exits 0', async () => {
    const { child, url, output, exited } = await startServer({
      [`UPSTREAM_${id.toUpperCase()}_URL`]: `${stub.url}/${id}`,
      SHUTDOWN_GRACE_MS: '600',
    });
    const target = `${url}/${id}${allowedPath(provider)}`;
    const key = fakeKey();
    const seen = stub.requests.length;
    stub.next((req, res) => setTimeout(() => res.end('{"slow":true}'), 1200));
    const slow = fetch(target, { headers: keyHeaders(provider, key) });
    while (stub.requests.length === seen) await new Promise((resolve) => setTimeout(resolve, 10));

    const signalled = performance.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await fetch(`${url}/healthz`)).status, 503, 'not ready at once');
    const during = await fetch(target, { headers: keyHeaders(provider, fakeKey()) });
    assert.equal(during.status, 200, 'still serving during the grace period');
    assert.equal(during.headers.get('connection'), 'close', 'and asking clients to reconnect elsewhere');

    await new Promise((resolve) => setTimeout(resolve, 700 - (performance.now() - signalled)));
    await assert.rejects(fetch(`${url}/healthz`), 'no new connections after the grace period');
    const answer = await slow;
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { slow: true });
    const [code] = await exited;
    assert.equal(code, 0);
    const exitedAfter = performance.now() - signalled;
    assert.ok(exitedAfter < 2000, `exited ${Math.round(exitedAfter)} ms after SIGTERM, the slow request ending at 1200`);
    assert.match(output.stdout, /"msg":"shutting down"/);
    assert.ok(!output.stdout.includes(key) && !output.stderr.includes(key));
  });

  it('cuts what is still in flight after SHUTDOWN_TIMEOUT_MS, logs each, and exits at once', async () => {
    const { child, url, output, exited } = await startServer({
      [`UPSTREAM_${id.toUpperCase()}_URL`]: `${stub.url}/${id}`,
      SHUTDOWN_GRACE_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '300',
    });
    const seen = stub.requests.length;
    stub.next(() => {}); // never answers
    stub.next(() => {});
    const hanging = [1, 2].map(() =>
      fetch(`${url}/${id}${allowedPath(provider)}`, { headers: keyHeaders(provider, fakeKey()) }).catch(() => 'cut'),
    );
    while (stub.requests.length < seen + 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const signalled = performance.now();
    child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(hanging), ['cut', 'cut']);
    const [code] = await exited;
    const exitedAfter = performance.now() - signalled;
    assert.equal(code, 0);
    assert.ok(exitedAfter < 1000, `exited ${Math.round(exitedAfter)} ms after SIGTERM (timeout 300 ms)`);
    const cut = output.stdout.split('\n').filter((line) => line.includes('"cut_by_shutdown"')).map((line) => JSON.parse(line));
    assert.equal(cut.length, 2);
    for (const entry of cut) assert.equal(entry.level, 'warn');
  });

  it('exits promptly on SIGTERM with nothing in flight', async () => {
    const { child, exited } = await startServer({ SHUTDOWN_GRACE_MS: '0' });
    const signalled = performance.now();
    child.kill('SIGTERM');
    await exited;
    const exitedAfter = performance.now() - signalled;
    assert.ok(exitedAfter < 500, `exited ${Math.round(exitedAfter)} ms after SIGTERM`);
  });

  it('refuses to start with an invalid configuration, naming the variable', async () => {
    const child = spawn(process.execPath, [serverPath], {
      env: { PATH: process.env.PATH, RATE_LIMIT_BURST: 'lots' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.match(stderr, /RATE_LIMIT_BURST/);
  });
});
