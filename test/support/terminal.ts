import { Readable, Writable } from 'node:stream';

/** A keyboard: a readable that claims to be a terminal, fed key presses by the test. */
class FakeTerminalInput extends Readable {
  isTTY = true;
  isRaw = false;
  override _read(): void {}
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
}

/** A screen: collects everything rendered, and claims to be a terminal. */
class FakeTerminalOutput extends Writable {
  isTTY = true;
  columns = 100;
  rows = 40;
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export const KEY = { down: '\x1b[B', space: ' ', enter: '\r', ctrlC: '\x03' };

export const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/**
 * A fake terminal for driving the CLI in process through clack's injected streams (`main(argv, term.io)`).
 * `answer(text, keys)` waits until `text` appears on the screen after what earlier answers consumed, then types.
 */
export function terminal(cwd: string) {
  const stdin = new FakeTerminalInput();
  const stdout = new FakeTerminalOutput();
  const stderr = new FakeTerminalOutput();
  const io = { stdin, stdout, stderr, env: { PATH: process.env.PATH, HOME: process.env.HOME }, cwd };
  let consumed = 0;
  async function answer(text: string, keys: string[]): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const screen = stripAnsi(stdout.text);
      const at = screen.indexOf(text, consumed);
      if (at >= 0) {
        consumed = at + text.length;
        break;
      }
      if (Date.now() > deadline) throw new Error(`Prompt "${text}" never appeared. Screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // clack draws a prompt before it listens for keys: give it a moment, or a key typed at once is lost.
    await new Promise((resolve) => setTimeout(resolve, 30));
    for (const key of keys) {
      stdin.push(key);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }
  return { io, stdout, stderr, answer };
}
