import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PROVIDERS } from '../src/providers.js';
import { allowedPath, fakeKey, keyHeaders, startStubProvider } from './helpers.js';

const serverPath = fileURLToPath(new URL('../server.js', import.meta.url));
const [[id, provider]] = Object.entries(PROVIDERS);

/** Starts `node server.js` and waits for its "listening" line. */
async function startServer(env) {
  const child = spawn(process.execPath, [serverPath], {
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  return { child, url, output };
}

describe('server.js', () => {
  let stub;
  before(async () => {
    stub = await startStubProvider();
  });
  after(() => stub.close());

  it('finishes requests in flight on SIGTERM, refuses new ones, then exits 0', async () => {
    const { child, url, output } = await startServer({ [`UPSTREAM_${id.toUpperCase()}_URL`]: `${stub.url}/${id}` });
    stub.next((req, res) => setTimeout(() => res.end('{"slow":true}'), 300));
    const key = fakeKey();
    const slow = fetch(`${url}/${id}${allowedPath(provider)}`, { headers: keyHeaders(provider, key) });
    while (stub.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    child.kill('SIGTERM');
    const answer = await slow;
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { slow: true });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    await assert.rejects(fetch(`${url}/healthz`), 'no new connections after shutdown');
    assert.match(output.stdout, /"msg":"shutting down"/);
    assert.ok(!output.stdout.includes(key) && !output.stderr.includes(key));
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
