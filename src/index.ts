import { CommanderError } from 'commander';
import type { RawFlags } from './cli/flags.js';
import { processIo, type Io } from './cli/io.js';
import { interruptedMessage, progress } from './cli/progress.js';
import { buildProgram, commanderOutcome } from './cli/program.js';
import { CancelledError, EXIT, exitCodeOf, UsageError, WriteRefusedError } from './errors.js';
import { generatorInfo } from './project/package-root.js';
import type { UpdateFlags } from './update/index.js';

/** Runs the CLI and returns the exit code; the only place that turns errors into messages and codes. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  let exitCode: number = EXIT.ok;
  // With --json, what commander prints for --help / --version is kept and printed as the one JSON object.
  let printed = '';
  const program = buildProgram(
    generatorInfo().version,
    {
      async create(dir, flags) {
        // Each command's modules load when it runs, keeping start-up to what the command needs.
        const { runCreate } = await import('./cli/create.js');
        const report = await runCreate(dir, flags as RawFlags, io);
        if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      },
      async update(dir, flags) {
        const { runUpdate } = await import('./update/index.js');
        const report = await runUpdate(dir, flags as UpdateFlags, io);
        if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        if (report.conflicts.length > 0) exitCode = EXIT.conflicts;
      },
    },
    {
      out: (text) => {
        if (json) printed += text;
        else io.stdout.write(text);
      },
      err: (text) => io.stderr.write(text),
    },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const outcome = commanderOutcome(error);
      if (outcome === 'ok') {
        if (json) io.stdout.write(`${JSON.stringify(error.code === 'commander.version' ? { version: printed.trim() } : { help: printed })}\n`);
        return EXIT.ok;
      }
      // commander already printed its message.
      if (json) io.stdout.write(`${JSON.stringify({ error: outcome.message, exitCode: EXIT.usage })}\n`);
      return EXIT.usage;
    }
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof CancelledError) io.stderr.write(`${message}\n`);
    else if (error instanceof UsageError || error instanceof WriteRefusedError) io.stderr.write(`error: ${message}\n`);
    else io.stderr.write(`error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug && error instanceof Error && !(error instanceof UsageError)) io.stderr.write(`${error.stack}\n`);
    if (json) io.stdout.write(`${JSON.stringify({ error: message, exitCode: code })}\n`);
    return code;
  }
}

/** Entry point of the bin: real process, signals, exit code. */
export async function run(): Promise<void> {
  const json = process.argv.includes('--json');
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? EXIT.cancelled : 128 + 15;
    const message = interruptedMessage();
    process.stderr.write(`\n${message}\n`);
    if (json) {
      const [error] = message.split('\n');
      process.stdout.write(`${JSON.stringify({ error, exitCode: code, directory: progress.writtenTo, notRun: progress.pending, nextSteps: progress.nextSteps })}\n`);
    }
    process.exit(code);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.exitCode = await main(process.argv.slice(2));
}
