import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.js';
import { allPatternOptions, PATTERN_IDS } from '../patterns/index.js';
import { PROVIDER_IDS } from '../providers/index.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Options shared by `create-byok` and `create-byok update`: everything that shapes the rendered files. For update,
 * what is not given keeps its recorded value rather than a default.
 */
function addAnswerOptions(command: Command, mode: 'create' | 'update'): Command {
  const update = mode === 'update';
  command
    // Repeatable: `--provider openai --provider google` is `--provider openai,google` (commander would keep the last).
    .option('--provider <ids>', `comma-separated provider ids, the first is the default (${PROVIDER_IDS.join(', ')}); repeatable`, collect)
    .option('--model <id=model>', 'default model for a provider (repeatable)', collect)
    .option(
      '--base-url <id=url>',
      update
        ? "replace a provider's origin, e.g. a self-hosted gateway; <id>=official goes back to the official one (repeatable)"
        : "replace a provider's origin, e.g. a self-hosted gateway (repeatable)",
      collect,
    );
  // One flag per name, even when several patterns have it (`--rate-limit-store`: proxy and worker).
  const flags = new Map<string, Array<ReturnType<typeof allPatternOptions>[number]>>();
  for (const entry of allPatternOptions()) flags.set(entry.option.flag, [...(flags.get(entry.option.flag) ?? []), entry]);
  for (const [flag, owners] of flags) {
    const what = owners[0]!.option.message.replace(/\?$/, '').toLowerCase();
    const argument = owners.map(({ option }) => option.argument).join('|');
    const defaults = owners.map(({ pattern, option }) => (owners.length > 1 ? `${option.default} for ${pattern.id}` : option.default)).join(', ');
    const patterns = owners.map(({ pattern }) => pattern.id).join(' and ');
    // commander names the value after the flag (`--rate-limit-store` -> `rateLimitStore`): the option's key.
    command.addOption(
      new Option(`--${flag} <${argument}>`, `${patterns} pattern${owners.length > 1 ? 's' : ''}: ${what} (${update ? 'default: as recorded' : `default ${defaults}`})`),
    );
  }
  return command
    .option('--dry-run', 'print the file plan and write nothing')
    .option('--json', 'print exactly one JSON object on stdout (human output goes to stderr)')
    .option('-y, --yes', update ? 'never prompt: keep the recorded answers for what is not given' : 'never prompt: take defaults for what is not given')
    .option('--debug', 'show stack traces on failure');
}

export interface ProgramHandlers {
  create(dir: string | undefined, flags: Record<string, unknown>): Promise<void>;
  update(dir: string | undefined, flags: Record<string, unknown>): Promise<void>;
}

export function buildProgram(version: string, handlers: ProgramHandlers, write: { out(text: string): void; err(text: string): void }): Command {
  const program = new Command('create-byok')
    // The create options are also update options: without this, `update --provider x` would hand --provider
    // to the top-level command and the update would silently ignore it.
    .enablePositionalOptions()
    .description('Scaffold an app that calls LLM APIs with its users\' own keys: key validation, redaction and rate limits wired in.')
    .argument('[dir]', 'project directory (relative or absolute)')
    .option('-p, --pattern <pattern>', `where it runs: ${PATTERN_IDS.join(' | ')}`)
    .option('--name <display name>', 'display name (default: from the directory name)');
  addAnswerOptions(program, 'create')
    .option('--no-install', 'do not install dependencies')
    .option('--no-git', 'do not initialise a git repository')
    .option('--force', 'write into a non-empty directory (only generated files are written; nothing is deleted)')
    .version(version, '-v, --version')
    .showHelpAfterError('(run with --help for every option)')
    .action((dir: string | undefined, flags: Record<string, unknown>) => handlers.create(dir, flags));

  addAnswerOptions(
    program
      .command('update')
      .description('regenerate a project after a provider or option change, keeping your edits (three-way merge)')
      .argument('[dir]', 'project directory', '.')
      // Accepted only to refuse it with a clear message: a new pattern is a new project, not an update.
      .addOption(new Option('-p, --pattern <pattern>').hideHelp()),
    'update',
  )
    .option('--allow-dirty', 'run even when the git work tree has uncommitted changes')
    .option('--restore', 'bring back generated files you deleted')
    .action((dir: string | undefined, flags: Record<string, unknown>) => handlers.update(dir, flags));

  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeOut: write.out, writeErr: write.err });
  }
  return program;
}

/** Help and version are successes; every other commander complaint is a usage error (exit 2). */
export function commanderOutcome(error: CommanderError): 'ok' | UsageError {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 'ok';
  return new UsageError(error.message.replace(/^error: /, ''));
}
