import type { Answers } from '../answers.js';
import { buildContext } from '../render/context.js';
import { renderPattern, type RenderedFiles } from '../render/render.js';
import { createManifest, MANIFEST_FILE, serializeManifest, type Manifest } from './manifest.js';
import { generatorInfo } from './package-root.js';

export interface Generated {
  /** Every file to write, the manifest included. */
  files: RenderedFiles;
  manifest: Manifest;
}

/** Renders a project from answers: a pure function of the answers and the generator version. */
export async function generate(answers: Answers): Promise<Generated> {
  const generator = generatorInfo();
  const context = buildContext(answers, generator);
  const files = await renderPattern(generator.templates, context);
  const manifest = createManifest(answers, files, generator);
  files.set(MANIFEST_FILE, serializeManifest(manifest));
  return { files, manifest };
}
