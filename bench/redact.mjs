// Redaction cost per request: the generated proxy's matcher (templates/_core/redact.js.hbs) against a regular
// expression that says the same thing (each character raw, \u00XX or %XX, plus the base64 runs), compiled per key,
// which is what a per-request redactor would have to do (a cache of per-key regexes would keep something derived
// from each key beyond its request). Run: node bench/redact.mjs (after npm run build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'byok-bench-redact-'));
try {
  execFileSync(process.execPath, [path.join(root, 'bin/create-byok.js'), 'p', '--pattern', 'proxy', '--provider', 'openai', '--yes', '--no-git', '--no-install'], { cwd: scratch, stdio: 'ignore' });
  const { redact } = await import(pathToFileURL(path.join(scratch, 'p/src/redact.js')).href);

  const escapeRegExp = (text) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  const regexFor = (key) => {
    const chars = [...key].map((char) => {
      const hex = char.charCodeAt(0).toString(16).padStart(2, '0').replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);
      return `(?:${escapeRegExp(char)}|\\\\u00${hex}|%${hex})`;
    });
    const base64 = [0, 1, 2].map((offset) => btoa('\0'.repeat(offset) + key).slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + key.length) * 4) / 3)));
    return new RegExp([chars.join(''), ...base64.map(escapeRegExp)].join('|'), 'g');
  };
  // An upstream error body of the usual size, with and without escapes in it.
  const bodies = {
    plain: JSON.stringify({ error: { message: `${'x'.repeat(300)} went wrong`, type: 'invalid_request_error' } }),
    escaped: JSON.stringify({ error: { message: `${'x'.repeat(300)} \\u0041 50% went wrong`, type: 'invalid_request_error' } }),
  };
  const rounds = 2000;
  const results = {};
  for (const length of [40, 164]) {
    for (const [name, body] of Object.entries(bodies)) {
      const keys = Array.from({ length: rounds }, () => `sk-proj-${Math.random().toString(36).slice(2).repeat(20)}`.slice(0, length));
      let started = performance.now();
      for (const key of keys) redact(body, [key]);
      const matcher = ((performance.now() - started) / rounds) * 1000;
      started = performance.now();
      for (const key of keys) body.replace(regexFor(key), '[redacted]');
      const regex = ((performance.now() - started) / rounds) * 1000;
      results[`key ${length}, ${name} body`] = { matcherMicroseconds: Math.round(matcher * 10) / 10, regexMicroseconds: Math.round(regex * 10) / 10 };
    }
  }
  console.log(`node ${process.version}, ${rounds} keys each, microseconds per redaction of one ~350-byte body:`);
  console.table(results);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
