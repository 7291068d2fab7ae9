import { existsSync } from 'node:fs';
import path from 'node:path';
import { findProvider } from '../providers/index.js';
import { findPattern } from '../patterns/index.js';
import { nextSteps } from '../patterns/next-steps.js';
import { generate } from '../project/generate.js';
import { MANIFEST_FILE } from '../project/manifest.js';
import { shellQuote } from '../project/shell.js';
import { packageManagerFromUserAgent } from '../project/package-manager.js';
import { initGit, installDependencies } from '../project/post-steps.js';
import { checkObstacles, planWrite, writeProject } from '../project/write.js';
import { parseFlags, plainHttpWarnings, type RawFlags } from './flags.js';
import { canPrompt, displayPath, type Io } from './io.js';
import { progress } from './progress.js';
import { equivalentCommand, resolveCreate, type ResolvedCreate } from './resolve.js';
import { createUi, type Ui } from './ui.js';

export interface CreateReport {
  directory: string;
  pattern: string;
  providers: string[];
  names: { name: string; packageName: string; slug: string; phpPrefix: string };
  dryRun: boolean;
  files: string[];
  overwritten: string[];
  git: string;
  installed: boolean;
  nextSteps: string[];
  command: string;
}

export async function runCreate(dirArgument: string | undefined, raw: RawFlags, io: Io): Promise<CreateReport> {
  const flags = parseFlags(raw);
  const interactive = !raw.yes && canPrompt(io);
  const ui = await createUi(io, { interactive, json: Boolean(raw.json) });
  if (interactive) ui.intro('create-byok: bring-your-own-key LLM apps');
  const prompter = interactive
    ? (await import('./prompts.js')).createPrompter(io, raw.json ? io.stderr : io.stdout)
    : undefined;

  const resolved = await resolveCreate(dirArgument, flags, { cwd: io.cwd, yes: Boolean(raw.yes), force: Boolean(raw.force), prompter });

  const relativeDir = displayPath(io.cwd, resolved.targetDir);
  const command = equivalentCommand(resolved, resolved.directoryAnswer, { install: raw.install, git: raw.git });
  reportNames(ui, resolved, relativeDir);
  for (const warning of plainHttpWarnings(resolved.answers.baseUrls)) ui.warn(warning);
  if (prompter) await prompter.confirm(summary(resolved, relativeDir));
  else ui.info(`Same run without prompts: ${command}`);

  const { files } = await generate(resolved.answers);
  checkObstacles(resolved.targetDir, files);
  if (existsSync(path.join(resolved.targetDir, MANIFEST_FILE))) {
    ui.warn(
      `${relativeDir} already holds a create-byok project (${MANIFEST_FILE}). To change it and keep your edits, run ` +
        `${['npx', 'create-byok', 'update', relativeDir].map(shellQuote).join(' ')} instead; --force writes the new render over them.`,
    );
  }
  const pm = packageManagerFromUserAgent(io.env.npm_config_user_agent);
  const needsInstall = hasDependencies(files.get('package.json'));

  const report: CreateReport = {
    directory: resolved.targetDir,
    pattern: resolved.answers.pattern,
    providers: resolved.answers.providers,
    names: {
      name: resolved.names.name,
      packageName: resolved.names.packageName,
      slug: resolved.names.slug,
      phpPrefix: resolved.names.constantPrefix,
    },
    dryRun: Boolean(raw.dryRun),
    files: [],
    overwritten: [],
    git: 'skipped',
    installed: false,
    nextSteps: [],
    command,
  };

  if (raw.dryRun) {
    const plan = planWrite(resolved.targetDir, files);
    report.files = plan.map(({ file }) => file);
    report.overwritten = plan.filter(({ action }) => action === 'overwrite').map(({ file }) => file);
    const same = plan.filter(({ action }) => action === 'same').length;
    const lines = plan.filter(({ action }) => action !== 'same').map(({ file, action }) => `${action.padEnd(9)} ${file}`);
    if (same > 0) lines.push(`(${same} file${same === 1 ? ' is' : 's are'} already exactly as generated)`);
    ui.note(lines.join('\n'), `Would write to ${relativeDir} (dry run: nothing written)`);
    report.nextSteps = nextSteps(resolved.answers, { relativeDir, pm, needsInstall, slug: resolved.names.slug, targetDir: resolved.targetDir });
    return report;
  }

  const written = writeProject(resolved.targetDir, files, relativeDir);
  report.files = written.written;
  report.overwritten = written.overwritten;
  const install = needsInstall && raw.install;
  const stepsWith = (stillToInstall: boolean) =>
    nextSteps(resolved.answers, { relativeDir, pm, needsInstall: stillToInstall, slug: resolved.names.slug, targetDir: resolved.targetDir });
  // From here on Ctrl-C stops git or the install: the signal handler says what is written and what is left.
  progress.writtenTo = relativeDir;
  progress.pending = [raw.git ? 'git init' : '', install ? `${pm} install` : ''].filter(Boolean);
  progress.nextSteps = stepsWith(needsInstall);
  ui.success(`Wrote ${written.written.length} files to ${relativeDir}`);
  for (const file of written.overwritten) ui.warn(`overwrote ${file}`);

  if (raw.git) {
    report.git = await initGit(resolved.targetDir, written.written);
    progress.pending = progress.pending.filter((step) => step !== 'git init');
    if (report.git === 'created') ui.step('Initialised a git repository with an initial commit');
    else if (report.git === 'failed') ui.warn('git init failed; the files are written, commit them yourself');
  }

  if (install) {
    const spin = ui.spinner();
    spin.start(`Installing dependencies with ${pm} (Ctrl-C stops it; the project stays written)`);
    try {
      await installDependencies(resolved.targetDir, pm);
      report.installed = true;
      spin.stop('Dependencies installed');
    } catch {
      spin.error(`${pm} install failed; run it yourself in ${relativeDir}`);
    }
  }
  progress.pending = [];

  report.nextSteps = stepsWith(needsInstall && !report.installed);
  if (interactive) ui.outro('Done. Never commit a real key, and never paste one into an issue.');
  ui.commands('Next steps', report.nextSteps);
  if (interactive) ui.commands('Same run without prompts (for CI)', [command]);
  return report;
}

function hasDependencies(packageJson: string | undefined): boolean {
  if (!packageJson) return false;
  // Development dependencies count too: a Worker project needs wrangler to run, test or deploy at all.
  const pkg = JSON.parse(packageJson) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).length > 0;
}

/** Shows what the typed name became wherever it is used, and the pattern's warnings about it (slugs, folders). */
function reportNames(ui: Ui, resolved: ResolvedCreate, relativeDir: string): void {
  const { names, answers, targetDir } = resolved;
  const pattern = findPattern(answers.pattern)!;
  ui.step(`Project "${names.name}" in ${relativeDir}: ${pattern.describeNames(names)}`);
  for (const warning of pattern.warnings({ name: answers.name, names, targetDir })) ui.warn(warning);
}

/** The summary before "Create the project?" (the command line comes at the end, unframed, so it copies whole). */
function summary(resolved: ResolvedCreate, relativeDir: string): string {
  const { answers } = resolved;
  const pattern = findPattern(answers.pattern)!;
  const lines = [
    `Directory: ${relativeDir}`,
    `Pattern:   ${answers.pattern} (${pattern.situation.charAt(0).toLowerCase()}${pattern.situation.slice(1)})`,
    `Providers: ${answers.providers.map((id) => `${findProvider(id)!.label} (${answers.models[id]})`).join(', ')}`,
    ...pattern.options.map((option) => {
      const choice = option.choices.find((candidate) => candidate.value === answers.options[option.key]);
      return `${`${option.summary}:`.padEnd(10)} ${choice?.label ?? answers.options[option.key]}`;
    }),
  ];
  return lines.join('\n');
}
