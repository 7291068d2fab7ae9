import type { Answers } from '../answers.js';
import { deriveNames } from '../project/names.js';
import { shellPath } from '../project/shell.js';
import { installCommand, type PackageManager } from '../project/package-manager.js';
import { findPattern } from './index.js';

/** What to do after generation, worded by the pattern, for the package manager that ran us. */
export function nextSteps(
  answers: Answers,
  context: { relativeDir: string; pm: PackageManager; needsInstall: boolean; slug: string; targetDir?: string },
): string[] {
  const pattern = findPattern(answers.pattern);
  if (!pattern) throw new Error(`Unknown pattern ${answers.pattern}`);
  const names = { ...deriveNames(answers.name), slug: context.slug };
  return pattern.nextSteps({
    name: answers.name,
    names,
    targetDir: context.targetDir ?? context.relativeDir,
    relativeDir: context.relativeDir,
    pm: context.pm,
    cd: context.relativeDir && context.relativeDir !== '.' ? [`cd ${shellPath(context.relativeDir)}`] : [],
    install: context.needsInstall ? [installCommand(context.pm)] : [],
  });
}
