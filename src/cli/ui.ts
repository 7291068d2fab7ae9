import type { Io } from './io.js';

/**
 * Human output. Interactive runs use clack's framed style; other runs print plain lines (CI logs stay readable).
 * With --json, human output goes to stderr so stdout holds exactly one JSON object.
 */
export interface Ui {
  intro(title: string): void;
  step(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  success(message: string): void;
  note(message: string, title: string): void;
  outro(message: string): void;
  spinner(): { start(message: string): void; stop(message: string): void; error(message: string): void };
}

/** clack is loaded only for interactive runs: CI runs print plain lines and never pay for it. */
export async function createUi(io: Io, options: { interactive: boolean; json: boolean }): Promise<Ui> {
  const out = options.json ? io.stderr : io.stdout;
  if (options.interactive) {
    const clack = await import('@clack/prompts');
    const streams = { input: io.stdin, output: out };
    return {
      intro: (title) => clack.intro(title, streams),
      step: (message) => clack.log.step(message, { output: out }),
      info: (message) => clack.log.info(message, { output: out }),
      warn: (message) => clack.log.warn(message, { output: out }),
      success: (message) => clack.log.success(message, { output: out }),
      note: (message, title) => clack.note(message, title, { output: out }),
      outro: (message) => clack.outro(message, streams),
      spinner: () => {
        const spin = clack.spinner({ output: out });
        return { start: (m) => spin.start(m), stop: (m) => spin.stop(m), error: (m) => spin.error(m) };
      },
    };
  }
  const line = (text: string) => out.write(`${text}\n`);
  return {
    intro: (title) => line(title),
    step: (message) => line(message),
    info: (message) => line(message),
    warn: (message) => io.stderr.write(`warning: ${message}\n`),
    success: (message) => line(message),
    note: (message, title) => line(`${title}:\n${message.replace(/^/gm, '  ')}`),
    outro: (message) => line(message),
    spinner: () => ({ start: (m) => line(`${m}...`), stop: (m) => line(m), error: (m) => io.stderr.write(`${m}\n`) }),
  };
}
