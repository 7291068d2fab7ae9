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
  /**
   * Lines to copy into a shell: printed as they are, one per line and never framed or wrapped by us, so copying
   * a line gives the whole command at any terminal width.
   */
  commands(title: string, lines: readonly string[]): void;
  spinner(): { start(message: string): void; stop(message: string): void; error(message: string): void };
}

/**
 * clack's spinner reads the keyboard while it spins and ends the process with exit code 0 on Ctrl-C, before our
 * signal handler can say what was written and what did not run. This one only draws: Ctrl-C stays a signal.
 */
function drawingSpinner(out: NodeJS.WritableStream, symbols: { done: string; failed: string }) {
  const frames = ['◒', '◐', '◓', '◑'];
  let timer: NodeJS.Timeout | undefined;
  let text = '';
  let frame = 0;
  const draw = (symbol: string) => out.write(`\r\x1b[2K${symbol}  ${text}`);
  const end = (symbol: string, message: string) => {
    clearInterval(timer);
    text = message;
    draw(symbol);
    out.write('\n│\n');
  };
  return {
    start(message: string) {
      out.write('│\n');
      text = message;
      draw(frames[0]!);
      timer = setInterval(() => draw(frames[++frame % frames.length]!), 80);
      timer.unref();
    },
    stop: (message: string) => end(symbols.done, message),
    error: (message: string) => end(symbols.failed, message),
  };
}

/** clack is loaded only for interactive runs: CI runs print plain lines and never pay for it. */
export async function createUi(io: Io, options: { interactive: boolean; json: boolean }): Promise<Ui> {
  const out = options.json ? io.stderr : io.stdout;
  if (options.interactive) {
    const clack = await import('@clack/prompts');
    clack.updateSettings({ messages: { cancel: 'Cancelled' } });
    const streams = { input: io.stdin, output: out };
    return {
      intro: (title) => clack.intro(title, streams),
      step: (message) => clack.log.step(message, { output: out }),
      info: (message) => clack.log.info(message, { output: out }),
      warn: (message) => clack.log.warn(message, { output: out }),
      success: (message) => clack.log.success(message, { output: out }),
      note: (message, title) => clack.note(message, title, { output: out }),
      outro: (message) => clack.outro(message, streams),
      commands: (title, lines) => out.write(`${title}:\n\n${lines.map((text) => `  ${text}\n`).join('')}\n`),
      spinner: () => drawingSpinner(out, { done: '◇', failed: '▲' }),
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
    commands: (title, lines) => line(`${title}:\n${lines.map((text) => `  ${text}`).join('\n')}`),
    spinner: () => ({ start: (m) => line(`${m}...`), stop: (m) => line(m), error: (m) => io.stderr.write(`${m}\n`) }),
  };
}
