import { createHash } from 'node:crypto';
import type { Answers } from '../answers.js';
import type { RenderedFiles } from '../render/render.js';

/** The project's record of how it was generated. Nothing secret: answers and file hashes only. */
export const MANIFEST_FILE = 'byok.json';

export interface Manifest {
  generator: { name: string; version: string };
  answers: Answers;
  /** SHA-256 (hex) of each generated file as written, so `update` can tell pristine files from edited ones. */
  files: Record<string, string>;
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function createManifest(
  answers: Answers,
  files: RenderedFiles,
  generator: { name: string; version: string },
): Manifest {
  const hashes: Record<string, string> = {};
  for (const [file, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) hashes[file] = sha256(content);
  return { generator: { name: generator.name, version: generator.version }, answers, files: hashes };
}

export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
