import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Answers } from '../answers.js';
import { UsageError } from '../errors.js';
import { findPattern } from '../patterns/index.js';
import { generate } from '../project/generate.js';
import { decodeLastGenerated, MANIFEST_FILE, sha256, type Manifest } from '../project/manifest.js';
import type { RenderedFiles } from '../render/render.js';

/** A generated project as `update` finds it: its manifest and the exact files it was last generated with. */
export interface RecordedProject {
  root: string;
  manifest: Manifest;
  /** What create-byok last wrote, byok.json excluded; every entry verified against the manifest's hash. */
  base: RenderedFiles;
  /** Where the base came from, for the report. */
  baseSource: 'byok.json' | 're-rendered';
  /** byok.json as it is on disk. */
  manifestText: string;
}

const HASH = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isStringRecord = (value: unknown): value is Record<string, string> =>
  isRecord(value) && Object.values(value).every((entry) => typeof entry === 'string');

/**
 * A path from byok.json is only ever relative and inside the project: a crafted manifest must not make `update`
 * write or delete anything outside it.
 */
export function isSafeRelativePath(file: string): boolean {
  if (file === '' || file.includes('\\') || file.includes('\0') || file.startsWith('/') || /^[A-Za-z]:/.test(file)) return false;
  const segments = file.split('/');
  return segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..') && segments[0] !== '.git';
}

/** Checks the shape of byok.json; returns a list of what is wrong (empty when it is usable). */
function manifestProblems(value: unknown): string[] {
  if (!isRecord(value)) return ['it is not a JSON object'];
  const problems: string[] = [];
  const { generator, answers, files, lastGenerated } = value;
  if (!isRecord(generator) || generator.name !== 'create-byok' || typeof generator.version !== 'string') {
    problems.push('"generator" is not {"name": "create-byok", "version": ...}');
  }
  if (!isRecord(answers)) {
    problems.push('"answers" is missing');
  } else {
    if (typeof answers.name !== 'string' || answers.name.trim() === '') problems.push('"answers.name" is not a name');
    if (typeof answers.pattern !== 'string' || !findPattern(answers.pattern)) problems.push('"answers.pattern" is not a known pattern');
    if (!Array.isArray(answers.providers) || answers.providers.length === 0 || !answers.providers.every((id) => typeof id === 'string')) {
      problems.push('"answers.providers" is not a list of provider ids');
    }
    for (const key of ['models', 'baseUrls', 'options'] as const) {
      if (!isStringRecord(answers[key])) problems.push(`"answers.${key}" is not an object of strings`);
    }
  }
  if (!isStringRecord(files)) {
    problems.push('"files" is not an object of hashes');
  } else {
    for (const [file, hash] of Object.entries(files)) {
      if (!isSafeRelativePath(file) || file === MANIFEST_FILE) problems.push(`"files" names ${JSON.stringify(file)}, which is not a path inside the project`);
      else if (!HASH.test(hash)) problems.push(`"files" has no SHA-256 for ${file}`);
    }
  }
  if (lastGenerated !== undefined && !(isRecord(lastGenerated) && typeof lastGenerated.encoding === 'string' && typeof lastGenerated.data === 'string')) {
    problems.push('"lastGenerated" is not {"encoding": ..., "data": ...}');
  }
  return problems;
}

/** Numeric comparison of x.y.z versions (pre-release suffixes ignored): negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.split(/[-+]/)[0]!.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Reads and checks the project's manifest and its base. Every refusal is a UsageError (exit 2) naming the file
 * and what is wrong with it: an update on a guessed base would merge against the wrong ancestor and lose edits.
 */
export async function readProject(root: string, generator: { version: string }): Promise<RecordedProject> {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UsageError(`${root} is not a directory. Pass the directory of a project made by create-byok.`);
  }
  const manifestPath = path.join(root, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new UsageError(
      `${root} has no ${MANIFEST_FILE}, so it was not made by create-byok (or the file was deleted). ` +
        'update needs it to tell your edits from generated code; pass the directory of a generated project.',
    );
  }
  const manifestText = readFileSync(manifestPath, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestText);
  } catch (error) {
    throw new UsageError(`${manifestPath} is not valid JSON (${(error as Error).message}). Restore it from version control.`);
  }
  const problems = manifestProblems(parsed);
  if (problems.length > 0) {
    throw new UsageError(`${manifestPath} is damaged: ${problems.slice(0, 5).join('; ')}. Restore it from version control.`);
  }
  const manifest = parsed as Manifest;
  if (compareVersions(manifest.generator.version, generator.version) > 0) {
    throw new UsageError(
      `This project was generated by create-byok ${manifest.generator.version}, newer than this one ` +
        `(${generator.version}). Run the newer one: npx create-byok@latest update.`,
    );
  }

  let base: RenderedFiles;
  let baseSource: RecordedProject['baseSource'];
  if (manifest.lastGenerated) {
    try {
      base = decodeLastGenerated(manifest.lastGenerated);
    } catch (error) {
      throw new UsageError(`${manifestPath} is damaged: "lastGenerated" cannot be read (${(error as Error).message}). Restore it from version control.`);
    }
    baseSource = 'byok.json';
  } else {
    // No copy (removed by hand): the recorded answers rendered by this generator are the base only if they give
    // exactly the recorded hashes, which holds when this is the version that generated the project.
    try {
      base = (await generate(manifest.answers as Answers)).files;
    } catch (error) {
      throw new UsageError(`${manifestPath} holds no copy of the generated files ("lastGenerated"), and its answers cannot be rendered again (${(error as Error).message}).`);
    }
    base.delete(MANIFEST_FILE);
    baseSource = 're-rendered';
  }

  const recorded = Object.keys(manifest.files).sort();
  const mismatched = [
    ...recorded.filter((file) => base.get(file) === undefined || sha256(base.get(file)!) !== manifest.files[file]),
    ...[...base.keys()].filter((file) => !(file in manifest.files)),
  ];
  if (mismatched.length > 0) {
    const shown = mismatched.slice(0, 5).join(', ') + (mismatched.length > 5 ? ` and ${mismatched.length - 5} more` : '');
    throw new UsageError(
      baseSource === 'byok.json'
        ? `${manifestPath} is damaged: its copy of the generated files does not match its hashes (${shown}). Restore it from version control.`
        : `${manifestPath} holds no copy of the generated files ("lastGenerated"), and this create-byok ` +
            `${generator.version} does not render them exactly as ${manifest.generator.version} did (${shown}). ` +
            `Run the version that generated the project: npx create-byok@${manifest.generator.version} update.`,
    );
  }
  return { root, manifest, base, baseSource, manifestText };
}
