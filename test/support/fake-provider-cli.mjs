#!/usr/bin/env node
// Starts the fake LLM provider for shell rigs (the WordPress tests run PHP against it).
//
//   node test/support/fake-provider-cli.mjs --port 8787 --valid-key K1 --valid-key K2 --forbidden-key K3
//
// Prints one JSON line, {"url": "http://127.0.0.1:8787", "port": 8787}, once listening, then serves until SIGTERM or
// SIGINT (or stdin closing, with --exit-on-stdin-close). Each provider is under <url>/<id>, e.g. <url>/openai/v1/models.
// Rigs inspect and steer it over HTTP: GET <url>/_fake/requests, POST <url>/_fake/reset, POST <url>/_fake/keys,
// POST <url>/_fake/next-response, POST <url>/_fake/stream-delay (see the end of fake-provider.mjs).
//
// Options: --port N (default 0: a free port), --host H (default 127.0.0.1), --valid-key K, --forbidden-key K,
// --rate-limited-key K (each repeatable), --stream-delay MS, --exit-on-stdin-close.

import { parseArgs } from 'node:util';
import { startFakeProvider } from './fake-provider.mjs';

const usage = 'usage: fake-provider-cli.mjs [--port N] [--host H] [--valid-key K]... [--forbidden-key K]... ' +
  '[--rate-limited-key K]... [--stream-delay MS] [--exit-on-stdin-close]';

/** @returns {ReturnType<typeof parseArgs>['values'] | null} */
function readOptions() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        'valid-key': { type: 'string', multiple: true, default: [] },
        'forbidden-key': { type: 'string', multiple: true, default: [] },
        'rate-limited-key': { type: 'string', multiple: true, default: [] },
        'stream-delay': { type: 'string', default: '0' },
        'exit-on-stdin-close': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`${/** @type {Error} */ (err).message}\n${usage}\n`);
    return null;
  }
}

async function main() {
  const options = readOptions();
  if (!options) return 2;
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number, got ${options.port}\n`);
    return 2;
  }

  const fake = await startFakeProvider({ port, host: String(options.host) });
  const keys = /** @type {Record<string, string[]>} */ ({
    valid: /** @type {string[]} */ (options['valid-key']),
    forbidden: /** @type {string[]} */ (options['forbidden-key']),
    'rate-limited': /** @type {string[]} */ (options['rate-limited-key']),
  });
  for (const [status, list] of Object.entries(keys)) {
    for (const key of list) fake.addKey(key, { status: /** @type {any} */ (status) });
  }
  fake.setStreamDelay(Number(options['stream-delay']));

  const stop = async () => {
    await fake.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (options['exit-on-stdin-close']) {
    process.stdin.on('end', stop);
    process.stdin.resume();
  }

  process.stdout.write(`${JSON.stringify({ url: fake.url, port: Number(new URL(fake.url).port) })}\n`);
  return undefined; // keep serving
}

main().then(
  (code) => { if (code !== undefined) process.exit(code); },
  (err) => {
    process.stderr.write(`fake provider failed to start: ${err?.message ?? err}\n`);
    process.exit(1);
  },
);
