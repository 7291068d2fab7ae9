import type { PackageManager } from '../project/package-manager.js';
import type { ProjectNames } from '../project/names.js';

/**
 * What a pattern is, as the CLI sees it. Each pattern is one module in this folder exporting one of these, and
 * `index.ts` lists them: prompts, flags, validation, the summary, next steps and rendering all read the
 * definition, so nothing else in `src/` names a pattern.
 */
export interface PatternChoice {
  value: string;
  label: string;
  hint: string;
}

export interface PatternOption {
  /** Key in the answers and the template context (`options.storage`). */
  key: string;
  /** Long flag without dashes. */
  flag: string;
  /** Flag argument name in --help. */
  argument: string;
  message: string;
  /** Short name in the summary (`Key storage: Memory only`). */
  summary: string;
  choices: PatternChoice[];
  default: string;
}

/** What a pattern needs to word its names, warnings and next steps. */
export interface ProjectFacts {
  /** Display name, exactly as typed. */
  name: string;
  names: ProjectNames;
  /** Absolute directory the project is written to. */
  targetDir: string;
}

export interface NextStepsContext extends ProjectFacts {
  /** The project directory relative to where the user ran the command ('.' for here). */
  relativeDir: string;
  pm: PackageManager;
  /** `cd <dir>`, or nothing when the project is the current directory. */
  cd: string[];
  /** The install command, or nothing when there is nothing left to install. */
  install: string[];
}

export interface PatternDefinition<Id extends string = string> {
  /** The `--pattern` value and the template folder (`templates/<id>/`). */
  id: Id;
  /** The situation, as the "Where will this run?" prompt phrases it. */
  situation: string;
  /** Where the key lives and what the risk is, in one line. */
  hint: string;
  options: PatternOption[];
  /**
   * True when a new project's folder is named by the slug (a WordPress plugin folder must be), rather than being
   * exactly the directory the user gave. An existing directory is always used as it is.
   */
  folderIsSlug: boolean;
  /** What the typed name became in this pattern (`package name acme-helper`), for the line before the summary. */
  describeNames(names: ProjectNames): string;
  /** Warnings about the chosen name or folder (shown, never fatal). */
  warnings(project: ProjectFacts): string[];
  /** What to do after generation, in order, for the package manager that ran create-byok. */
  nextSteps(context: NextStepsContext): string[];
  /**
   * Values this pattern's templates need beyond the shared render context (src/render/context.ts), computed from
   * it. Their names must not collide with the shared ones (rendering refuses a collision).
   */
  templateContext?(shared: SharedTemplateContext): Record<string, unknown>;
}

/** The part of the render context every pattern gets; see src/render/context.ts. */
export type SharedTemplateContext = import('../render/context.js').RenderContext;

/** Declares a pattern, keeping its id as a literal type (so `PatternId` is the union of the registered ids). */
export function definePattern<const Id extends string>(definition: PatternDefinition<Id>): PatternDefinition<Id> {
  return definition;
}
