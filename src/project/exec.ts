/** The result of a finished command. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with execa, loaded on first use: a run that needs no git and nothing installed never pays for
 * loading it (it is a large share of the CLI's start-up otherwise).
 */
export async function exec(
  file: string,
  args: string[],
  options: { cwd?: string; reject?: boolean } = {},
): Promise<ExecResult> {
  const { execa } = await import('execa');
  const result = await execa(file, args, { cwd: options.cwd, reject: options.reject ?? true, stdin: 'ignore' });
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}
