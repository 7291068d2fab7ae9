import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { diffIndices } from 'node-diff3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProject, runCli, tempDir, type CliResult } from './support/cli.js';

/**
 * `create-byok update`, end to end through the built CLI, over the three patterns. The templates change under
 * these tests (they are the product and keep improving), so nothing here names a line of them: the lines a
 * provider change touches are found by diffing two renders, and edits are placed on or away from them.
 */

let work: { dir: string; cleanup: () => void };
beforeAll(() => {
  work = tempDir('byok-update-');
});

const MANIFEST = 'byok.json';
const USER_LINE = 'kept-by-update-test: a line the user wrote';
let counter = 0;

interface PatternCase {
  pattern: string;
  /** The answers at generation time. */
  before: string[];
  /** The provider change given to update. */
  change: string[];
  /** A pattern option change, for the patterns that have options. */
  option?: string[];
}

const CASES: PatternCase[] = [
  { pattern: 'browser', before: ['--provider', 'anthropic'], change: ['--provider', 'openai,google'], option: ['--storage', 'encrypted'] },
  { pattern: 'proxy', before: ['--provider', 'anthropic'], change: ['--provider', 'openai,google'], option: ['--rate-limit-store', 'redis'] },
  { pattern: 'wordpress', before: ['--provider', 'anthropic'], change: ['--provider', 'openai,google'] },
  { pattern: 'worker', before: ['--provider', 'anthropic'], change: ['--provider', 'openai,google'], option: ['--rate-limit-store', 'rate-limit-binding'] },
];

/**
 * Every project is called "app" and lives in a directory of its own, so that renders of the same answers are
 * byte-identical wherever they land (the name is part of the content) and can be generated once and copied. The
 * WordPress pattern names its folder by the slug, which for "app" is "app" too.
 */
function projectDir(parent: string, label: string): string {
  counter += 1;
  const dir = path.join(parent, `${label}-${counter}`);
  mkdirSync(dir);
  return path.join(dir, 'app');
}

const rendered = new Map<string, string>();

/** The project the built CLI generates for these answers (generated once, then reused). */
async function renderOnce(c: PatternCase, answers: string[]): Promise<string> {
  const key = JSON.stringify([c.pattern, answers]);
  if (!rendered.has(key)) {
    const dir = projectDir(work.dir, `render-${c.pattern}`);
    await generateProject(dir, ['--pattern', c.pattern, '--name', 'app', ...answers]);
    expect(existsSync(path.join(dir, MANIFEST)), `${dir} was generated`).toBe(true);
    rendered.set(key, dir);
  }
  return rendered.get(key)!;
}

async function generate(dir: string, c: PatternCase, answers: string[]): Promise<void> {
  cpSync(await renderOnce(c, answers), dir, { recursive: true });
}

function update(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['update', dir, ...args], { env });
}

async function updateJson(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const result = await update(dir, [...args, '--json'], env);
  let report: UpdateReport;
  try {
    report = JSON.parse(result.stdout) as UpdateReport;
  } catch {
    throw new Error(`update --json did not print one JSON object (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { result, report };
}

interface UpdateReport {
  directory: string;
  dryRun: boolean;
  changes: string[];
  answers: { providers: string[]; options: Record<string, string> };
  files: Array<{ file: string; status: string; reason?: string }>;
  written: string[];
  conflicts: string[];
  error?: string;
  exitCode?: number;
}

/** Every file under `dir` (no .git): path -> content. */
function tree(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== '.git') for (const [file, content] of tree(dir, relative)) files.set(file, content);
    } else {
      files.set(relative, readFileSync(path.join(dir, relative), 'utf8'));
    }
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/** Contents and modification times: proves a file was not even rewritten. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries([...tree(dir)].map(([file, content]) => [file, `${statSync(path.join(dir, file)).mtimeMs} ${sha(content)}`]));
}

const sha = (content: string) => createHash('sha256').update(content).digest('hex');

/**
 * CSP hash lists are derived from the page (update recomputes them after a merge), so comparisons of merged
 * pages with a render leave them out; `expectPolicyFitsPage` checks them instead.
 */
const withoutHashes = (text: string) => text.replace(/'sha256-[A-Za-z0-9+/=]+'/g, "'sha256-…'");

/** Every inline script and style of a page is allowed by its policy: the page still runs after a merge. */
function expectPolicyFitsPage(html: string): void {
  const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1];
  if (!policy) return;
  for (const [, tag, body] of html.matchAll(/<!--[\s\S]*?-->|<(script|style)\b[^>]*>([\s\S]*?)<\/\1\s*>/gi)) {
    if (!tag || body === undefined) continue;
    expect(policy, `${tag} hash`).toContain(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  }
}
const lines = (text: string) => text.split('\n');

/** No staging directory or backup left in the project or beside it. */
function expectNoLeftovers(dir: string): void {
  expect(readdirSync(dir).filter((entry) => entry.includes('create-byok'))).toEqual([]);
  expect(readdirSync(path.dirname(dir)).filter((entry) => entry.includes('create-byok'))).toEqual([]);
}

/** Base-line ranges [start, end) that a render of the new answers changes (an insertion has start === end). */
function hunks(base: string, next: string): Array<{ start: number; end: number; replacement: string[] }> {
  return diffIndices(lines(base), lines(next)).map((hunk) => ({
    start: hunk.buffer1[0],
    end: hunk.buffer1[0] + hunk.buffer1[1],
    replacement: hunk.buffer2Content,
  }));
}

/** Files that both renders have and that differ (byok.json aside): where the provider change shows. */
function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...before.keys()].filter((file) => file !== MANIFEST && after.has(file) && after.get(file) !== before.get(file));
}

/** A line of the last render that the new one replaces or removes: editing it must conflict. */
function lineTheChangeTouches(before: Map<string, string>, after: Map<string, string>): { file: string; line: number } {
  for (const file of changedFiles(before, after)) {
    const hunk = hunks(before.get(file)!, after.get(file)!).find((h) => h.end > h.start && lines(before.get(file)!)[h.start]!.trim() !== '');
    if (hunk) return { file, line: hunk.start };
  }
  throw new Error(`No generated line differs between the two renders: ${[...before.keys()].join(', ')}`);
}

/**
 * An insertion point in a changed file at least two untouched lines away from every change (so diff3 sees two
 * independent edits), the farthest one available.
 */
function placeAwayFromTheChange(before: Map<string, string>, after: Map<string, string>): { file: string; at: number } {
  let best: { file: string; at: number; distance: number } | undefined;
  for (const file of changedFiles(before, after)) {
    if (file.endsWith('.json')) continue;
    const changes = hunks(before.get(file)!, after.get(file)!);
    const count = lines(before.get(file)!).length;
    for (let at = 1; at < count; at += 1) {
      const distance = Math.min(...changes.map((h) => (at <= h.start ? h.start - at : at - h.end)));
      if (distance >= 2 && (!best || distance > best.distance)) best = { file, at, distance };
    }
  }
  if (!best) throw new Error('Every line of every changed file is next to a provider-dependent line');
  return best;
}

function insertLine(text: string, at: number, line: string): string {
  const all = lines(text);
  all.splice(at, 0, line);
  return all.join('\n');
}

/**
 * What a fresh generate of the new answers gives: what the updated project must equal. Rendered anew each time
 * (not copied like the starting projects), so it meets the same templates the update just used.
 */
async function freshRender(c: PatternCase, answers: string[]): Promise<Map<string, string>> {
  const dir = projectDir(work.dir, `fresh-${c.pattern}`);
  await generateProject(dir, ['--pattern', c.pattern, '--name', 'app', ...answers]);
  return tree(dir);
}

function readManifest(dir: string): { files: Record<string, string>; answers: { providers: string[] }; lastGenerated: { data: string } } {
  return JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8'));
}

/** Some generated text file (not JSON), whichever the templates make today. */
function someGeneratedFile(dir: string): string {
  const file = Object.keys(readManifest(dir).files).sort().find((name) => !name.endsWith('.json'));
  if (!file) throw new Error(`${dir} has no generated file besides JSON`);
  return file;
}

/** Rewrites what byok.json says was last generated (as an older create-byok would have), keeping it consistent. */
function rewriteBase(dir: string, edit: (files: Record<string, string>) => void): void {
  const manifest = readManifest(dir);
  const files = JSON.parse(gunzipSync(Buffer.from(manifest.lastGenerated.data, 'base64')).toString('utf8')) as Record<string, string>;
  edit(files);
  manifest.lastGenerated.data = gzipSync(JSON.stringify(files)).toString('base64');
  manifest.files = Object.fromEntries(Object.entries(files).map(([file, content]) => [file, sha(content)]));
  writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

describe.each(CASES)('update, $pattern pattern', (c) => {
  it('with no edits, a provider change gives exactly what a fresh generate gives', async () => {
    const dir = projectDir(work.dir, `${c.pattern}-clean`);
    await generate(dir, c, c.before);
    const { result, report } = await updateJson(dir, c.change);
    expect(result.code, result.stderr).toBe(0);
    expect(report.conflicts).toEqual([]);
    expect(report.answers.providers).toEqual(c.change[1]!.split(','));
    expect(report.changes.join('\n')).toContain('providers: anthropic -> openai, google');
    expect(tree(dir)).toEqual(await freshRender(c, c.change));
    expectNoLeftovers(dir);
  });

  if (c.option) it('with no edits, a pattern option change gives exactly what a fresh generate gives', async () => {
    const dir = projectDir(work.dir, `${c.pattern}-option`);
    await generate(dir, c, c.before);
    const { result, report } = await updateJson(dir, c.option!);
    expect(result.code, result.stderr).toBe(0);
    expect(report.conflicts).toEqual([]);
    expect(tree(dir)).toEqual(await freshRender(c, [...c.before, ...c.option!]));
  });

  it('keeps edits away from the provider code and brings the change in around them', async () => {
    const dir = projectDir(work.dir, `${c.pattern}-edited`);
    await generate(dir, c, c.before);
    const before = tree(dir);
    const after = await freshRender(c, c.change);
    const { file, at } = placeAwayFromTheChange(before, after);
    writeFileSync(path.join(dir, file), insertLine(before.get(file)!, at, USER_LINE));
    // A file the change does not touch, edited at its end, comes through as it is.
    const untouched = [...before.keys()].find((f) => f !== MANIFEST && !f.endsWith('.json') && after.get(f) === before.get(f));
    if (untouched) writeFileSync(path.join(dir, untouched), `${before.get(untouched)}${USER_LINE}\n`);

    const { result, report } = await updateJson(dir, c.change);
    expect(result.code, result.stderr).toBe(0);
    expect(report.conflicts).toEqual([]);
    expect(report.files.find((entry) => entry.file === file)?.status).toBe('merged');

    const merged = readFileSync(path.join(dir, file), 'utf8');
    expect(merged).toContain(USER_LINE);
    // Take the user's line out again and what is left is exactly the new render.
    expect(withoutHashes(lines(merged).filter((line) => line !== USER_LINE).join('\n'))).toBe(withoutHashes(after.get(file)!));
    expect(merged).not.toContain('<<<<<<<');
    if (file.endsWith('.html')) expectPolicyFitsPage(merged);
    if (untouched) expect(readFileSync(path.join(dir, untouched), 'utf8')).toBe(`${before.get(untouched)}${USER_LINE}\n`);
    // Every file nobody edited is the new render.
    for (const [other, content] of after) {
      if (other !== file && other !== untouched) expect(readFileSync(path.join(dir, other), 'utf8'), other).toBe(content);
    }
    // The manifest records the new answers and the new render's hashes (so the merged file counts as edited).
    const manifest = readManifest(dir);
    expect(manifest.answers.providers).toEqual(['openai', 'google']);
    expect(manifest.files[file]).toBe(sha(after.get(file)!));
  });

  it('writes conflict markers, exits 3 and keeps both versions when an edit and the change touch the same line', async () => {
    const dir = projectDir(work.dir, `${c.pattern}-conflict`);
    await generate(dir, c, c.before);
    const before = tree(dir);
    const after = await freshRender(c, c.change);
    const { file, line } = lineTheChangeTouches(before, after);
    const edited = lines(before.get(file)!);
    const mine = `${edited[line]} ${USER_LINE}`;
    edited[line] = mine;
    writeFileSync(path.join(dir, file), edited.join('\n'));

    const { result, report } = await updateJson(dir, c.change);
    expect(result.code).toBe(3);
    expect(report.conflicts).toEqual([file]);
    expect(report.files.find((entry) => entry.file === file)?.status).toBe('conflict');
    expect(result.stderr).toContain(`Conflicts in ${file}`);

    const content = readFileSync(path.join(dir, file), 'utf8');
    const contentLines = lines(content);
    for (const marker of ['<<<<<<< your version', '||||||| last generated', '=======', '>>>>>>> new']) {
      expect(contentLines, marker).toContain(marker);
    }
    const ours = contentLines.indexOf('<<<<<<< your version');
    const base = contentLines.indexOf('||||||| last generated');
    const separator = contentLines.indexOf('=======', base);
    const theirs = contentLines.indexOf('>>>>>>> new', separator);
    expect(ours).toBeLessThan(base);
    // Your version (with the edit), the last generated line, and the new render's lines, each in its section.
    const section = (from: number, to: number) => contentLines.slice(from + 1, to).map(withoutHashes);
    expect(section(ours, base)).toContain(withoutHashes(mine));
    expect(section(base, separator)).toContain(withoutHashes(lines(before.get(file)!)[line]!));
    const hunk = hunks(before.get(file)!, after.get(file)!).find((h) => h.start <= line && line < h.end)!;
    for (const newLine of hunk.replacement) expect(section(separator, theirs)).toContain(withoutHashes(newLine));
    // Everything else still moved to the new answers.
    for (const [other, expected] of after) if (other !== file) expect(readFileSync(path.join(dir, other), 'utf8'), other).toBe(expected);

    // A later update does not pretend all is well while the markers are there (exit 0 with conflicts left is
    // exactly what CI must never see)...
    const again = await updateJson(dir);
    expect(again.result.code).toBe(3);
    expect(again.report.conflicts).toEqual([file]);
    expect(again.report.files.find((entry) => entry.file === file)?.reason).toMatch(/conflict markers/);
    // ...and once the user resolves them (here: taking the new version), all is clean.
    writeFileSync(path.join(dir, file), after.get(file)!);
    const resolved = await updateJson(dir);
    expect(resolved.result.code).toBe(0);
    expect(resolved.report.written).toEqual([]);
  });

  it('leaves files the user added alone, keeps deleted files deleted, and --restore brings them back', async () => {
    const dir = projectDir(work.dir, `${c.pattern}-own-files`);
    await generate(dir, c, c.before);
    const deleted = [...tree(dir).keys()].filter((file) => file !== MANIFEST).sort().at(-1)!;
    unlinkSync(path.join(dir, deleted));
    mkdirSync(path.join(dir, 'notes'));
    writeFileSync(path.join(dir, 'notes', 'mine.md'), '# my notes\n');
    writeFileSync(path.join(dir, 'extra.js'), 'export const mine = 1;\n');

    const { result, report } = await updateJson(dir, c.change);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(dir, deleted))).toBe(false);
    expect(report.files.find((entry) => entry.file === deleted)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/deleted.*--restore/) });
    expect(readFileSync(path.join(dir, 'notes', 'mine.md'), 'utf8')).toBe('# my notes\n');
    expect(readFileSync(path.join(dir, 'extra.js'), 'utf8')).toBe('export const mine = 1;\n');
    expect(report.files.map((entry) => entry.file)).not.toContain('extra.js');

    // Still deleted on the next update; the manifest remembers it was generated, so it is not "new".
    const again = await updateJson(dir);
    expect(again.result.code).toBe(0);
    expect(existsSync(path.join(dir, deleted))).toBe(false);

    const restored = await updateJson(dir, ['--restore']);
    expect(restored.result.code).toBe(0);
    expect(restored.report.files.find((entry) => entry.file === deleted)?.status).toBe('added');
    const after = await freshRender(c, c.change);
    expect(readFileSync(path.join(dir, deleted), 'utf8')).toBe(after.get(deleted));
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const dir = projectDir(work.dir, `${c.pattern}-dry`);
    await generate(dir, c, c.before);
    const before = tree(dir);
    const after = await freshRender(c, c.change);
    const { file, at } = placeAwayFromTheChange(before, after);
    writeFileSync(path.join(dir, file), insertLine(before.get(file)!, at, USER_LINE));
    const edited = snapshot(dir);

    const human = await update(dir, [...c.change, '--dry-run']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('dry run');
    expect(human.stdout).toMatch(new RegExp(`merged\\s+${file.replace(/[.]/g, '\\.')}`));
    expect(human.stdout).toMatch(/updated\s+byok\.json/);
    const { result, report } = await updateJson(dir, [...c.change, '--dry-run']);
    expect(result.code).toBe(0);
    expect(report.dryRun).toBe(true);
    expect(report.written).toEqual([]);
    expect(report.files.find((entry) => entry.file === file)?.status).toBe('merged');
    expect(snapshot(dir)).toEqual(edited);
    expectNoLeftovers(dir);
  });

  it('a second update with the same answers changes nothing', async () => {
    const dir = projectDir(work.dir, `${c.pattern}-twice`);
    await generate(dir, c, c.before);
    const before = tree(dir);
    const after = await freshRender(c, c.change);
    const { file, at } = placeAwayFromTheChange(before, after);
    writeFileSync(path.join(dir, file), insertLine(before.get(file)!, at, USER_LINE));
    const first = await updateJson(dir, c.change);
    expect(first.result.code).toBe(0);
    expect(first.report.written.length).toBeGreaterThan(0);
    const updated = snapshot(dir);

    for (const args of [[], c.change]) {
      const { result, report } = await updateJson(dir, args);
      expect(result.code).toBe(0);
      expect(report.written).toEqual([]);
      expect(new Set(report.files.map((entry) => entry.status))).toEqual(new Set(['unchanged']));
      expect(snapshot(dir)).toEqual(updated);
    }
  });

  it('a failure half-way leaves the project exactly as it was', async () => {
    const dir = projectDir(work.dir, `${c.pattern}-fail`);
    await generate(dir, c, c.before);
    const before = tree(dir);
    const after = await freshRender(c, c.change);
    const { file, at } = placeAwayFromTheChange(before, after);
    writeFileSync(path.join(dir, file), insertLine(before.get(file)!, at, USER_LINE));
    const edited = snapshot(dir);
    const plan = (await updateJson(dir, [...c.change, '--dry-run'])).report;
    const operations = plan.files.filter((entry) => ['updated', 'merged', 'added', 'removed', 'conflict'].includes(entry.status)).length;
    expect(operations).toBeGreaterThanOrEqual(2);

    // Stop after every file but byok.json has been moved into place: the most there is to undo.
    const result = await update(dir, c.change, { CREATE_BYOK_TEST_FAIL_UPDATE_AFTER: String(operations - 1) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed .*put back as it was/);
    expect(snapshot(dir)).toEqual(edited);
    expectNoLeftovers(dir);

    // The same update then goes through.
    const retry = await update(dir, c.change);
    expect(retry.code, retry.stderr).toBe(0);
  });
});

describe('update refuses what it cannot do safely', () => {
  const proxy = CASES.find((c) => c.pattern === 'proxy')!;

  it('refuses a git work tree with uncommitted changes unless --allow-dirty', async () => {
    const dir = projectDir(work.dir, 'git-dirty');
    const env = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    const created = await runCli([dir, '--pattern', 'proxy', '--provider', 'anthropic', '--name', 'app', '--yes', '--no-install'], { env });
    expect(created.code, created.stderr).toBe(0);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    expect(git('status', '--porcelain')).toBe('');

    const before = tree(dir);
    const { file, at } = placeAwayFromTheChange(before, await freshRender(proxy, ['--provider', 'openai']));
    writeFileSync(path.join(dir, file), insertLine(before.get(file)!, at, USER_LINE));
    writeFileSync(path.join(dir, 'scratch.txt'), 'untracked\n');
    const dirty = snapshot(dir);
    const refused = await update(dir, ['--provider', 'openai']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/uncommitted changes \(/);
    expect(refused.stderr).toContain(file);
    expect(refused.stderr).toContain('scratch.txt');
    expect(refused.stderr).toContain('--allow-dirty');
    expect(snapshot(dir)).toEqual(dirty);
    // --dry-run writes nothing, so it may look at a dirty tree.
    const dry = await updateJson(dir, ['--provider', 'openai', '--dry-run']);
    expect(dry.result.code).toBe(0);
    expect(dry.report.files.find((entry) => entry.file === file)?.status).toBe('merged');

    const allowed = await update(dir, ['--provider', 'openai', '--allow-dirty']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(readFileSync(path.join(dir, file), 'utf8')).toContain(USER_LINE);

    // Committed, the tree is clean again and update runs without the flag; git shows what it changed.
    git('add', '--all');
    git('commit', '-q', '-m', 'wip');
    const clean = await update(dir, ['--provider', 'openai,google']);
    // (0, or 3 if this change happens to touch the user's line: either way it ran, and git shows what it did.)
    expect([0, 3], clean.stderr).toContain(clean.code);
    expect(git('status', '--porcelain')).toContain('byok.json');
  });

  it('refuses a directory without byok.json, with exit 2', async () => {
    const dir = projectDir(work.dir, 'no-manifest');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'index.js'), 'mine\n');
    const result = await update(dir, ['--provider', 'openai']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no byok\.json/);
    expect(readdirSync(dir)).toEqual(['index.js']);
    const json = await updateJson(path.join(work.dir, 'does-not-exist'));
    expect(json.result.code).toBe(2);
    expect(json.report).toMatchObject({ exitCode: 2, error: expect.stringContaining('not a directory') });
  });

  it.each([
    ['not JSON', (text: string) => text.slice(0, 40), /not valid JSON/],
    ['no answers', (text: string) => JSON.stringify({ ...JSON.parse(text), answers: undefined }), /"answers" is missing/],
    ['an unknown pattern', (text: string) => text.replace('"pattern": "proxy"', '"pattern": "desktop"'), /not a known pattern/],
    ['a tampered copy of the last render', (text: string) => {
      const manifest = JSON.parse(text);
      manifest.lastGenerated.data = manifest.lastGenerated.data.slice(0, -12) + 'AAAAAAAAAAAA';
      return JSON.stringify(manifest);
    }, /"lastGenerated" cannot be read|does not match its hashes/],
    ['hashes that do not match the copy', (text: string) => {
      const manifest = JSON.parse(text);
      const file = Object.keys(manifest.files).sort()[0]!;
      manifest.files[file] = '0'.repeat(64);
      return JSON.stringify(manifest);
    }, /does not match its hashes \([^)]+\)/],
    ['a path outside the project', (text: string) => {
      const manifest = JSON.parse(text);
      manifest.files['../outside.js'] = '0'.repeat(64);
      return JSON.stringify(manifest);
    }, /not a path inside the project/],
    ['a newer create-byok', (text: string) => text.replace(/"version": "[^"]+"/, '"version": "999.0.0"'), /newer than this one/],
  ])('refuses a byok.json with %s, with exit 2, and writes nothing', async (_label, corrupt, message) => {
    const dir = projectDir(work.dir, 'corrupt');
    await generate(dir, proxy, proxy.before);
    writeFileSync(path.join(dir, MANIFEST), corrupt(readFileSync(path.join(dir, MANIFEST), 'utf8')));
    const state = snapshot(dir);
    const result = await update(dir, ['--provider', 'openai']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(dir)).toEqual(state);
  });

  it('refuses to change the pattern (that is a new project), with exit 2', async () => {
    const dir = projectDir(work.dir, 'pattern');
    await generate(dir, proxy, proxy.before);
    const state = snapshot(dir);
    const option = await update(dir, ['--storage', 'session']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/--storage applies to the browser pattern, and this is a proxy project.*new project/);
    const flag = await update(dir, ['--pattern', 'browser']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/pattern/);
    expect(snapshot(dir)).toEqual(state);
  });

  it('refuses bad flags as create does, with exit 2', async () => {
    const dir = projectDir(work.dir, 'flags');
    await generate(dir, proxy, proxy.before);
    for (const [args, message] of [
      [['--provider', 'cohere'], /Unknown provider "cohere"/],
      [['--model', 'openai=gpt-x'], /--model names openai, which is not among the chosen providers \(anthropic\)/],
      [['--provider', 'openai', '--base-url', 'openai=ftp://x'], /scheme must be http or https/],
      [['--rate-limit-store', 'disk'], /Valid values: memory, redis/],
    ] as const) {
      const result = await update(dir, [...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it('a failure the OS reports (a read-only project) leaves the project as it was', async () => {
    const dir = projectDir(work.dir, 'read-only');
    await generate(dir, proxy, proxy.before);
    const state = snapshot(dir);
    // As root, permissions do not stop writes; the immutable attribute does (ext4), and on byok.json, the last
    // file moved into place, it fails the update after everything else has been replaced.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) execFileSync('chattr', ['+i', path.join(dir, MANIFEST)]);
    else chmodSync(dir, 0o555);
    let result: CliResult;
    try {
      result = await update(dir, ['--provider', 'openai,google']);
    } finally {
      if (asRoot) execFileSync('chattr', ['-i', path.join(dir, MANIFEST)]);
      else chmodSync(dir, 0o755);
    }
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed/);
    expect(snapshot(dir)).toEqual(state);
    expectNoLeftovers(dir);
  });
});

describe('update across generator versions (an older render recorded in byok.json)', () => {
  const proxy = CASES.find((c) => c.pattern === 'proxy')!;

  it('removes a file the generator no longer makes if it is pristine, keeps it if edited', async () => {
    const dir = projectDir(work.dir, 'gone');
    await generate(dir, proxy, proxy.before);
    rewriteBase(dir, (files) => {
      files['lib/old-helper.js'] = 'export const old = 1;\n';
      files['lib/old-edited.js'] = 'export const edited = 1;\n';
    });
    mkdirSync(path.join(dir, 'lib'));
    writeFileSync(path.join(dir, 'lib', 'old-helper.js'), 'export const old = 1;\n');
    writeFileSync(path.join(dir, 'lib', 'old-edited.js'), 'export const edited = 2; // mine\n');

    const { result, report } = await updateJson(dir);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'lib', 'old-helper.js'))).toBe(false);
    expect(readFileSync(path.join(dir, 'lib', 'old-edited.js'), 'utf8')).toBe('export const edited = 2; // mine\n');
    expect(report.files).toEqual(
      expect.arrayContaining([
        { file: 'lib/old-helper.js', status: 'removed' },
        { file: 'lib/old-edited.js', status: 'kept', reason: expect.stringMatching(/no longer generated.*edited/) },
      ]),
    );
    // The kept file is the user's now: the manifest no longer lists it.
    expect(Object.keys(readManifest(dir).files)).not.toContain('lib/old-edited.js');
  });

  it('a new generated file where the user already has one is a conflict, with both versions kept', async () => {
    const dir = projectDir(work.dir, 'both-added');
    await generate(dir, proxy, proxy.before);
    const file = someGeneratedFile(dir);
    const generated = readFileSync(path.join(dir, file), 'utf8');
    rewriteBase(dir, (files) => delete files[file]);
    writeFileSync(path.join(dir, file), 'console.log("my own server");\n');

    const { result, report } = await updateJson(dir);
    expect(result.code).toBe(3);
    expect(report.conflicts).toEqual([file]);
    expect(report.files.find((entry) => entry.file === file)?.reason).toMatch(/already there/);
    const content = readFileSync(path.join(dir, file), 'utf8');
    expect(content).toContain('<<<<<<< your version\nconsole.log("my own server");\n');
    expect(content).toContain(`=======\n${generated}>>>>>>> new\n`);
  });

  it('merges a change the generator made with an edit of the user on another line', async () => {
    const dir = projectDir(work.dir, 'upgrade');
    await generate(dir, proxy, proxy.before);
    const file = someGeneratedFile(dir);
    const current = readFileSync(path.join(dir, file), 'utf8');
    const older = lines(current);
    older.splice(1, 0, '// a line an older create-byok wrote and this one no longer does');
    rewriteBase(dir, (files) => (files[file] = older.join('\n')));
    // The user's line goes at the end: the file ends with a newline, so the last element is '' and the
    // generator's change (line 1) is far away.
    const mine = [...older];
    mine.splice(mine.length - 1, 0, USER_LINE);
    writeFileSync(path.join(dir, file), mine.join('\n'));

    const { result, report } = await updateJson(dir);
    expect(result.code, result.stderr).toBe(0);
    expect(report.files.find((entry) => entry.file === file)?.status).toBe('merged');
    const merged = readFileSync(path.join(dir, file), 'utf8');
    expect(merged).not.toContain('an older create-byok wrote');
    expect(merged).toBe(`${current}${USER_LINE}\n`);
  });

  it('works without the copy of the last render when this version renders the recorded answers exactly', async () => {
    const dir = projectDir(work.dir, 'no-copy');
    // Generated now rather than copied: the re-render must meet the templates this run has.
    await generateProject(dir, ['--pattern', 'proxy', '--name', 'app', ...proxy.before]);
    const manifest = readManifest(dir) as Record<string, unknown>;
    delete manifest.lastGenerated;
    writeFileSync(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
    const { result } = await updateJson(dir, ['--provider', 'openai,google']);
    expect(result.code, result.stderr).toBe(0);
    expect(tree(dir)).toEqual(await freshRender(proxy, ['--provider', 'openai,google']));

    // With the copy gone and a base that no longer renders the same, it refuses rather than guess.
    const changed = readManifest(dir) as Record<string, unknown> & { files: Record<string, string> };
    delete changed.lastGenerated;
    changed.files[someGeneratedFile(dir)] = sha('something else\n');
    writeFileSync(path.join(dir, MANIFEST), JSON.stringify(changed, null, 2));
    const refused = await update(dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/does not render them exactly.*npx create-byok@/);
  });

  it('undoes a base URL with --base-url <id>=official', async () => {
    const dir = projectDir(work.dir, 'base-url');
    await generate(dir, proxy, ['--provider', 'openai', '--base-url', 'openai=http://127.0.0.1:9/openai']);
    const { result, report } = await updateJson(dir, ['--base-url', 'openai=official']);
    expect(result.code, result.stderr).toBe(0);
    expect(report.changes.join('\n')).toMatch(/openai base URL: http:\/\/127\.0\.0\.1:9\/openai -> official/);
    expect(tree(dir)).toEqual(await freshRender(proxy, ['--provider', 'openai']));
  });
});

// Keep the temp tree removable even if a test failed between chattr +i and -i.
afterAll(() => {
  try {
    execFileSync('chattr', ['-R', '-i', work.dir], { stdio: 'ignore' });
  } catch {
    /* nothing was made immutable */
  }
  work.cleanup();
});
