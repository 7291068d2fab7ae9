/**
 * One security core, proved the same in every language: the shared vectors (test/vectors/*.json) run against each
 * implementation as generated: the proxy's modules, the browser page's inline script, and the WordPress plugin's
 * PHP. Drift between them (a form of the key one redactor misses, a rule one reads differently) fails here.
 * A new pattern adds its implementation to IMPLEMENTATIONS.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answers } from '../src/answers.js';
import { findPattern, type PatternId } from '../src/patterns/index.js';
import { generate } from '../src/project/generate.js';
import { deriveNames } from '../src/project/names.js';
import { PROVIDER_IDS } from '../src/providers/index.js';
import { repoRoot } from './support/cli.js';
import { runVectorsInWorkerd } from './support/worker-run.js';
import {
  expandRedaction,
  extractDeclarations,
  inlineScript,
  loadVectors,
  type KeyCheckCase,
  type PathCase,
  type RedactionCase,
  type TokenBucketCase,
} from './support/vectors.js';

type Decision = { allowed: boolean; remaining: number; resetSeconds: number; retryAfterSeconds: number };
type Bucket = { tokens: number; updatedAt: number } | undefined;

/** What an implementation offers; each runs the vectors of what it has. */
interface Implementation {
  redact?: (text: string, secrets: string[]) => string | Promise<string>;
  keyCheckOutcome?: (provider: string, status: number, body: string) => string | Promise<string>;
  forwards?: (provider: string, path: string) => boolean;
  takeToken?: (bucket: Bucket, policy: TokenBucketCase['policy'], now: number) => { state: Bucket; decision: Decision };
}

const redaction = loadVectors<{ placeholder: string; cases: RedactionCase[] }>('redaction');
const keyChecks = loadVectors<{ cases: KeyCheckCase[] }>('key-check').cases;
const paths = loadVectors<{ cases: PathCase[] }>('paths').cases;
const buckets = loadVectors<{ cases: TokenBucketCase[] }>('token-bucket').cases;
// Built once: every implementation sees the same keys.
const redactions = redaction.cases.map(expandRedaction);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'byok-core-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A change to one rendered file, to prove that the vectors notice a broken implementation. */
interface Breakage {
  file: string;
  from: string;
  to: string;
}

let renders = 0;

/**
 * Renders a pattern with every provider (so every provider's rules and shapes are in it) to a folder of its own,
 * optionally broken on purpose.
 */
async function render(pattern: PatternId, breakage?: Breakage): Promise<string> {
  const definition = findPattern(pattern)!;
  const answers: Answers = {
    name: 'Vector Check',
    pattern,
    providers: [...PROVIDER_IDS],
    models: {},
    baseUrls: {},
    options: Object.fromEntries(definition.options.map((option) => [option.key, option.default])),
  };
  const dir = path.join(scratch, `${pattern}-${(renders += 1)}`);
  const { files } = await generate(answers);
  if (breakage) {
    const content = files.get(breakage.file);
    if (!content?.includes(breakage.from)) throw new Error(`${pattern}/${breakage.file} no longer contains ${breakage.from}`);
    files.set(breakage.file, content.replace(breakage.from, breakage.to));
  }
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const importFrom = (dir: string, file: string) => import(pathToFileURL(path.join(dir, file)).href);

/** The proxy and the Worker render the core into the same modules: import them from a rendering of either. */
async function modulesOf(pattern: PatternId, breakage?: Breakage): Promise<Implementation> {
  const dir = await render(pattern, breakage);
  const { redact } = await importFrom(dir, 'src/redact.js');
  const { keyCheckOutcome } = await importFrom(dir, 'src/validate-key.js');
  const { compileAllowlist, isSafePath } = await importFrom(dir, 'src/paths.js');
  const { PROVIDERS } = await importFrom(dir, 'src/providers.js');
  const { takeToken } = await importFrom(dir, 'src/rate-limit.js');
  return {
    redact: (text, secrets) => redact(text, secrets),
    keyCheckOutcome: (provider, status, body) => keyCheckOutcome(PROVIDERS[provider], status, body),
    forwards: (provider, requested) => isSafePath(requested) && compileAllowlist(PROVIDERS[provider].paths).test(requested),
    takeToken,
  };
}

const IMPLEMENTATIONS: Record<string, (breakage?: Breakage) => Promise<Implementation>> = {
  'proxy (JavaScript)': (breakage) => modulesOf('proxy', breakage),
  'Cloudflare Worker (JavaScript)': (breakage) => modulesOf('worker', breakage),
  async 'Cloudflare Worker, in workerd'(breakage) {
    // The same modules run by Cloudflare's runtime rather than Node (Web APIs only: TextEncoder, btoa...), all
    // vectors in one request to a Worker that imports them.
    const dir = await render('worker', breakage);
    const results = await runVectorsInWorkerd(dir, { redaction: redactions.map(({ input, secrets }) => ({ input, secrets })), keyCheck: keyChecks, paths });
    return {
      redact: (text) => results.redaction[redactions.findIndex((vector) => vector.input === text)]!,
      keyCheckOutcome: (provider, status, body) =>
        results.keyCheck[keyChecks.findIndex((vector) => vector.provider === provider && vector.status === status && vector.body === body)]!,
      forwards: (provider, requested) => results.paths[paths.findIndex((vector) => vector.provider === provider && vector.path === requested)]!,
    };
  },
  async 'browser page (inline JavaScript)'(breakage) {
    const dir = await render('browser', breakage);
    const { readFileSync } = await import('node:fs');
    const page = extractDeclarations(inlineScript(readFileSync(path.join(dir, 'index.html'), 'utf8')), ['redact', 'keyCheckOutcome', 'PROVIDERS']);
    const PROVIDERS = page.PROVIDERS as Record<string, unknown>;
    const redact = page.redact as (text: string, secrets: Iterable<string>) => string;
    const keyCheckOutcome = page.keyCheckOutcome as (provider: unknown, status: number, body: string) => string;
    return {
      redact: (text, secrets) => redact(text, new Set(secrets)),
      keyCheckOutcome: (provider, status, body) => keyCheckOutcome(PROVIDERS[provider], status, body),
    };
  },
  async 'WordPress plugin (PHP)'(breakage) {
    const dir = await render('wordpress', breakage);
    const prefix = deriveNames('Vector Check').classPrefix;
    // One PHP process for every case: the vectors go in on stdin, the answers come back in order.
    const input = { redaction: redactions.map(({ input, secrets }) => ({ input, secrets })), keyCheck: keyChecks };
    const output = execFileSync('php', [path.join(repoRoot, 'test/vectors/run.php'), dir, prefix], { input: JSON.stringify(input), encoding: 'utf8' });
    const results = JSON.parse(output) as { redaction: string[]; keyCheck: string[] };
    return {
      redact: (text) => results.redaction[redactions.findIndex((vector) => vector.input === text)]!,
      keyCheckOutcome: (provider, status, body) =>
        results.keyCheck[keyChecks.findIndex((vector) => vector.provider === provider && vector.status === status && vector.body === body)]!,
    };
  },
};

async function redactionMismatches(implementation: Implementation): Promise<string[]> {
  const wrong: string[] = [];
  for (const vector of redactions) {
    const got = await implementation.redact!(vector.input, vector.secrets);
    if (got !== vector.output) wrong.push(`${vector.name}:\n  got      ${got}\n  expected ${vector.output}`);
  }
  return wrong;
}

async function keyCheckMismatches(implementation: Implementation): Promise<string[]> {
  const wrong: string[] = [];
  for (const vector of keyChecks) {
    const got = await implementation.keyCheckOutcome!(vector.provider, vector.status, vector.body);
    if (got !== vector.outcome) wrong.push(`${vector.provider} ${vector.status} ${vector.body}: got ${got}, expected ${vector.outcome}`);
  }
  return wrong;
}

/**
 * What each implementation has of the core, so the suite declares exactly the tests that apply (a pattern that
 * forwards no paths has no allowlist or token bucket; the workerd run checks what needs Web APIs) and nothing is
 * skipped: an implementation that lacks what it is listed with fails.
 */
const SHARES: Record<string, Array<keyof Implementation>> = {
  'proxy (JavaScript)': ['redact', 'keyCheckOutcome', 'forwards', 'takeToken'],
  'Cloudflare Worker (JavaScript)': ['redact', 'keyCheckOutcome', 'forwards', 'takeToken'],
  'Cloudflare Worker, in workerd': ['redact', 'keyCheckOutcome', 'forwards'],
  'browser page (inline JavaScript)': ['redact', 'keyCheckOutcome'],
  'WordPress plugin (PHP)': ['redact', 'keyCheckOutcome'],
};

describe.each(Object.keys(IMPLEMENTATIONS))('%s', (name) => {
  const shares = SHARES[name] ?? [];
  let implementation: Implementation;
  beforeAll(async () => {
    implementation = await IMPLEMENTATIONS[name]!();
  }, 60_000);

  it('has exactly the parts of the core it is listed with', () => {
    expect(Object.keys(implementation).sort()).toEqual([...shares].sort());
  });

  if (shares.includes('redact')) {
    it('redacts every vector exactly', async () => {
      expect(await redactionMismatches(implementation)).toEqual([]);
    });
  }

  if (shares.includes('keyCheckOutcome')) {
    it('reads every key-check answer as the vectors do', async () => {
      expect(await keyCheckMismatches(implementation)).toEqual([]);
    });
  }

  if (shares.includes('forwards')) {
    it('forwards exactly the allowed paths', () => {
      const wrong = paths
        .filter((vector) => implementation.forwards!(vector.provider, vector.path) !== vector.forwarded)
        .map((vector) => `${vector.provider} ${vector.path}: expected ${vector.forwarded ? 'forwarded' : 'refused'}`);
      expect(wrong).toEqual([]);
    });
  }

  if (shares.includes('takeToken')) {
    it('decides every token-bucket step as the vectors do', () => {
      for (const vector of buckets) {
        let bucket: Bucket;
        vector.steps.forEach((step, index) => {
          const { state, decision } = implementation.takeToken!(bucket, vector.policy, step.at);
          bucket = state;
          const { at: _at, ...expected } = step;
          expect({ allowed: decision.allowed, remaining: decision.remaining, resetSeconds: decision.resetSeconds, retryAfterSeconds: decision.retryAfterSeconds }, `${vector.name}, step ${index + 1}`).toEqual(expected);
        });
      }
    });
  }
});

describe('the vectors themselves', () => {
  it('use one placeholder, and every redaction case changes or keeps its text on purpose', () => {
    expect(redaction.placeholder).toBe('[redacted]');
    for (const vector of redactions) expect(vector.output.replaceAll(redaction.placeholder, '')).not.toMatch(/\{\w+(?::\w+)?\}/);
  });
});

/**
 * Each implementation broken on purpose, one rule at a time: the vectors must notice. (Without this, a runner
 * that silently tested nothing would pass.)
 */
describe('a broken implementation fails the vectors', () => {
  const broken: Array<[string, 'redact' | 'keyCheckOutcome' | 'forwards', Breakage]> = [
    ['Cloudflare Worker (JavaScript)', 'forwards', { file: 'src/paths.js', from: "return decoded !== '.' && decoded !== '..'", to: "return decoded !== '.'" }],
    ['proxy (JavaScript)', 'keyCheckOutcome', { file: 'src/validate-key.js', from: "if (status >= 200 && status < 300) return 'valid';", to: '' }],
    ['Cloudflare Worker (JavaScript)', 'redact', { file: 'src/redact.js', from: "forms.push(stable, stable.replaceAll('+', '-').replaceAll('/', '_'));", to: 'forms.push(stable);' }],
    ['Cloudflare Worker, in workerd', 'redact', { file: 'src/redact.js', from: "forms.push(stable, stable.replaceAll('+', '-').replaceAll('/', '_'));", to: 'forms.push(stable);' }],
    ['browser page (inline JavaScript)', 'redact', { file: 'index.html', from: '|%${high}${low}', to: '' }],
    ['proxy (JavaScript)', 'redact', { file: 'src/redact.js', from: 'const MIN_SECRET_LENGTH = 8;', to: 'const MIN_SECRET_LENGTH = 1;' }],
    ['browser page (inline JavaScript)', 'keyCheckOutcome', { file: 'index.html', from: "rule ? rule.outcome : 'unreachable'", to: "rule ? rule.outcome : 'invalid'" }],
    ['WordPress plugin (PHP)', 'keyCheckOutcome', { file: 'includes/class-provider-client.php', from: "return 'unreachable';", to: "return 'invalid';" }],
    ['WordPress plugin (PHP)', 'redact', { file: 'includes/class-redactor.php', from: "$alternatives[] = preg_quote( strtr( $core, '+/', '-_' ), '/' );", to: '' }],
  ];
  it.each(broken)('%s, %s', async (name, what, breakage) => {
    const implementation = await IMPLEMENTATIONS[name]!(breakage);
    const wrong =
      what === 'redact'
        ? await redactionMismatches(implementation)
        : what === 'keyCheckOutcome'
          ? await keyCheckMismatches(implementation)
          : paths.filter((vector) => implementation.forwards!(vector.provider, vector.path) !== vector.forwarded);
    expect(wrong.length).toBeGreaterThan(0);
  }, 60_000);
});
