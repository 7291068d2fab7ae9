import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Answers } from '../answers.js';
import type { RenderedFiles } from '../render/render.js';

/** The project's record of how it was generated. Nothing secret: answers, file hashes, the generated files. */
export const MANIFEST_FILE = 'byok.json';

export interface Manifest {
  generator: { name: string; version: string };
  answers: Answers;
  /** SHA-256 (hex) of each generated file as written, so `update` can tell pristine files from edited ones. */
  files: Record<string, string>;
  /**
   * The generated files themselves, compressed: the exact base of `create-byok update`'s three-way merge.
   * Why a copy rather than re-rendering the recorded answers with the recorded generator version: that needs
   * that exact version (a download through npx, which offline machines and locked-down CI cannot do), and even
   * one version renders differently while its templates are being worked on. A copy is exact by construction,
   * and the hashes above verify it. Why inside byok.json rather than a file of its own: the manifest and its
   * base can never drift apart, and a project (or a WordPress plugin zip) carries one generator file, not two.
   * Compressed so it stays small and so searching the project does not find stale copies of its code.
   */
  lastGenerated?: LastGenerated;
}

export interface LastGenerated {
  about: string;
  /** JSON object `{ path: content }`, gzip-compressed, base64-encoded. */
  encoding: typeof LAST_GENERATED_ENCODING;
  data: string;
}

export const LAST_GENERATED_ENCODING = 'json+gzip+base64';

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function createManifest(
  answers: Answers,
  files: RenderedFiles,
  generator: { name: string; version: string },
): Manifest {
  const hashes: Record<string, string> = {};
  // Code-unit order, not localeCompare: the same on every machine, and no collation tables to load at start-up.
  for (const [file, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hashes[file] = sha256(content);
  return {
    generator: { name: generator.name, version: generator.version },
    answers,
    files: hashes,
    lastGenerated: encodeLastGenerated(files),
  };
}

/** Deterministic: the same files always give the same bytes (sorted keys; gzip without a timestamp). */
export function encodeLastGenerated(files: RenderedFiles): LastGenerated {
  const sorted = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    about: 'The files as create-byok generated them: the base `create-byok update` merges your edits against.',
    encoding: LAST_GENERATED_ENCODING,
    data: gzipSync(JSON.stringify(sorted)).toString('base64'),
  };
}

/** Decodes `lastGenerated`; throws a plain Error saying what is wrong (the caller words the refusal). */
export function decodeLastGenerated(value: LastGenerated, maxBytes = 64 * 1024 * 1024): RenderedFiles {
  if (value.encoding !== LAST_GENERATED_ENCODING) throw new Error(`unknown encoding ${JSON.stringify(value.encoding)}`);
  const json = gunzipSync(Buffer.from(value.data, 'base64'), { maxOutputLength: maxBytes }).toString('utf8');
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object of files');
  const files: RenderedFiles = new Map();
  for (const [file, content] of Object.entries(parsed)) {
    if (typeof content !== 'string') throw new Error(`${file} is not text`);
    files.set(file, content);
  }
  return files;
}

export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
