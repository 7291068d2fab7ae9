import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { createLogger } from '../src/log.js';
import { PROVIDERS } from '../src/providers.js';
import { REDACTED, createRedactor, redact } from '../src/redact.js';
import { fakeKey, keySpellings } from './helpers.js';

describe('redact', () => {
  it('removes the key by value, raw, JSON-escaped and URL-encoded', () => {
    const key = 'test-key/with+odd"chars';
    const text = `raw ${key} json ${JSON.stringify(key)} url ${encodeURIComponent(key)}`;
    const result = redact(text, [key]);
    assert.ok(!result.includes(key));
    assert.ok(!result.includes(JSON.stringify(key).slice(1, -1)));
    assert.ok(!result.includes(encodeURIComponent(key)));
    assert.match(result, /^raw \[redacted\] json "\[redacted\]" url \[redacted\]$/);
  });

  it('removes the key in every spelling a server might echo it in, and any mixture of them', () => {
    const key = `test-key-${'ab12CD34/+='.repeat(3)}`;
    const spellings = keySpellings(key);
    for (const [name, spelling] of Object.entries(spellings)) {
      const result = redact(`before ${spelling} after`, [key]);
      assert.ok(!result.includes(spelling), name);
      assert.ok(result.includes(REDACTED), name);
      assert.ok(result.startsWith('before ') && result.endsWith(' after'), `${name}: ${result}`);
    }
    // A per-request redactor says the same.
    const redactor = createRedactor(key);
    for (const spelling of Object.values(spellings)) assert.ok(!redactor(`x ${spelling} y`).includes(spelling));
  });

  it('leaves text without the key alone', () => {
    const key = `test-key-${'0123456789abcdef'.repeat(2)}`;
    for (const text of ['{"error":{"message":"quota \\u00e9 %20 exceeded"}}', 'test-key-0123', key.slice(0, -1)]) {
      assert.equal(redact(text, [key]), text);
    }
  });

  it('scrubs bearer tokens and every provider’s key shape as a last net', () => {
    assert.equal(redact('Authorization: Bearer abc.def-123'), `Authorization: Bearer ${REDACTED}`);
    for (const provider of Object.values(PROVIDERS)) {
      if (!provider.keyPattern) continue;
      // A key of the provider's shape, built from its pattern's literal prefix (of the first alternative, for a
      // provider with several formats) and enough filler.
      const prefix = provider.keyPattern.match(/^(?:\(\?:)?([\w-]+)/)[1];
      const sample = `${prefix}${'A1b2'.repeat(12)}`;
      if (!new RegExp(provider.keyPattern).test(sample)) continue;
      assert.ok(!redact(`leaked ${sample} here`).includes(sample), provider.label);
    }
  });

  it('is applied to every log line', () => {
    const lines = [];
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    log.info('request', { detail: 'echo test-key-123456' }, ['test-key-123456']);
    log.error('failure', { error: new Error('upstream said test-key-123456') }, ['test-key-123456']);
    assert.equal(lines.length, 2);
    assert.ok(lines.every((line) => !line.includes('test-key-123456')));
    assert.equal(JSON.parse(lines[1]).error.message, 'upstream said [redacted]');
  });

  it('finds the key in the shortest base64 text that carries it, at each of the three alignments', () => {
    for (const key of [fakeKey(), fakeKey().slice(0, 20), fakeKey().slice(0, 21), `${fakeKey()}é`]) {
      const bytes = Buffer.byteLength(key);
      for (let offset = 0; offset < 3; offset += 1) {
        const encoded = Buffer.from(`${'x'.repeat(offset)}${key}`).toString('base64');
        // The characters made of the key's bits alone: what a longer encoded text always contains.
        const carried = encoded.slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + bytes) * 4) / 3));
        assert.equal(redact(carried, [key]), REDACTED, `offset ${offset}, ${carried.length} characters`);
        assert.equal(createRedactor(key)(`${carried}.`), `${REDACTED}.`);
      }
    }
  });

  it('redacts each value before it is serialised: no key can rewrite the line around it', () => {
    const lines = [];
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    // Old redaction replaced these in the finished line: `"` broke the JSON, `4` changed the status,
    // `request` erased the message.
    for (const secret of ['"', '4', 'request', ':', '\\', ',"status":401']) {
      log.info('request', { status: 401, path: '/v1/messages', error: 'implausible_key' }, [secret]);
    }
    for (const line of lines) {
      const entry = JSON.parse(line);
      assert.equal(entry.msg, 'request', line);
      assert.equal(entry.status, 401, line);
      assert.equal(entry.path, '/v1/messages', line);
    }
  });

  it('scans values shorter than the request’s key for key shapes, and longer ones for the key too', () => {
    const lines = [];
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    const key = `${fakeKey()}${fakeKey()}`; // longer than the values below
    log.info('request', { short: 'Bearer some-other-token', long: `echo ${key} echo`, plain: 'x'.repeat(30) }, [key]);
    const entry = JSON.parse(lines[0]);
    assert.equal(entry.short, 'Bearer [redacted]');
    assert.equal(entry.long, 'echo [redacted] echo');
    assert.equal(entry.plain, 'x'.repeat(30));
  });

  it('writes the request line as the general logger would, from the same values', () => {
    const lines = [];
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    const key = fakeKey();
    const bearer = `Bearer ${'t'.repeat(30)}`; // a credential redaction knows by its shape alone
    const hostile = ['"', '4', 'request', '\\', 'say "hi"\n', 'line\u2028', 'half \ud83d'];
    hostile.push(`echo ${key}`, `sk-proj-${'a'.repeat(30)}`, bearer);
    const requests = [
      { method: 'POST', provider: 'openai', path: '/v1/chat/completions', status: 200, durationMs: 12.34, requestId: 'a-1' },
      { method: 'GET', status: 404, durationMs: 0.04, requestId: 'b', error: 'not_found' },
      { method: 'POST', status: 502, durationMs: 120_000.05, requestId: 'c', headers: { accept: '*/*' } },
      { method: 'POST', status: 200, durationMs: Number.NaN, requestId: 'd' },
      ...hostile.map((value) => ({
        method: value,
        provider: value,
        path: `/v1/${value}`,
        status: 500,
        durationMs: 3,
        requestId: value,
        keyFingerprint: value,
        error: value,
        upstreamError: value,
        upstreamRequestId: value,
        upstreamMessage: value,
        headers: { 'user-agent': value },
      })),
    ];
    for (const fields of requests) {
      for (const secret of [key, undefined, '"']) {
        log.request('error', fields, secret);
        log.error('request', { ...fields, durationMs: Math.round(fields.durationMs * 10) / 10 }, [secret]);
        const [special, general] = lines.splice(0).map((line) => line.replace(/"time":"[^"]*"/, ''));
        assert.equal(special, general);
        if (secret === key) assert.ok(!special.includes(key), special);
        assert.ok(!special.includes('t'.repeat(30)), special);
      }
    }
  });

  it('leaves out request lines below LOG_LEVEL, and keeps those at or above it', () => {
    const lines = [];
    const log = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    const fields = { method: 'POST', status: 200, durationMs: 1, requestId: 'r' };
    log.request('info', fields, undefined);
    log.request('warn', { ...fields, error: 'cut_by_shutdown' }, undefined);
    log.request('error', { ...fields, status: 502 }, undefined);
    assert.deepEqual(lines.map((line) => JSON.parse(line).level), ['warn', 'error']);
  });

  it('writes the time as toISOString does, to the millisecond', () => {
    const lines = [];
    const log = createLogger({ write: (line) => lines.push(line) });
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 11, 31, 23, 59, 59, 998) });
    try {
      for (let i = 0; i < 4; i += 1) {
        log.info('tick');
        mock.timers.tick(1);
      }
      mock.timers.tick(1_000 + 5);
      log.info('tick');
      mock.timers.tick(42);
      log.info('tick');
    } finally {
      mock.timers.reset();
    }
    assert.deepEqual(
      lines.map((line) => JSON.parse(line).time),
      [
        '2026-12-31T23:59:59.998Z',
        '2026-12-31T23:59:59.999Z',
        '2027-01-01T00:00:00.000Z',
        '2027-01-01T00:00:00.001Z',
        '2027-01-01T00:00:01.007Z',
        '2027-01-01T00:00:01.049Z',
      ],
    );
  });

  it('writes each line exactly as JSON.stringify would, whatever the values hold', () => {
    const lines = [];
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    const fields = {
      plain: 'gpt-4o-mini',
      quoted: 'say "hi"\\now',
      control: 'tab\there\nnew line\u0000\u001f',
      separators: 'line\u2028paragraph\u2029',
      emoji: 'ok 👍',
      loneSurrogate: 'half \ud83d here',
      number: 12.5,
      notANumber: Number.NaN,
      missing: undefined,
      nested: { list: [1, 'two'] },
    };
    log.info('request', fields);
    const written = lines[0];
    const { time, ...rest } = JSON.parse(written);
    assert.equal(written, `${JSON.stringify({ time, level: 'info', msg: 'request', ...fields })}\n`);
    assert.equal(rest.loneSurrogate, 'half \ud83d here');
  });
});
