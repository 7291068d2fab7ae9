import type { Answers } from '../answers.js';
import { buildContext } from '../render/context.js';
import { fillContentSecurityPolicies } from '../render/csp.js';
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
  // CSP hashes are of the final page text, so they are filled in after rendering and tidying.
  const files = fillContentSecurityPolicies(await renderPattern(context));
  const manifest = createManifest(answers, files, generator);
  files.set(MANIFEST_FILE, serializeManifest(manifest));
  return { files, manifest };
}
