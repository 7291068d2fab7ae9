/**
 * How far a run got, for the signal handler: before the project is written, Ctrl-C cancels cleanly (writing is
 * one synchronous step, so a signal lands before or after it, never inside); after, it interrupts git or the
 * install, and the handler says what is on disk, what did not run, and the next steps still needed.
 */
export const progress: {
  /** The project directory as shown to the user, once the files are written. */
  writtenTo?: string;
  /** Steps after the write that have not finished yet (`git init`, `npm install`). */
  pending: string[];
  /** The next steps as they stand if the run stops now (the install included while it has not finished). */
  nextSteps: string[];
} = { pending: [], nextSteps: [] };

/** What the signal handler prints: one sentence, then the next steps still needed. */
export function interruptedMessage(): string {
  if (!progress.writtenTo) return 'Cancelled: nothing was written.';
  const notRun = progress.pending.length > 0 ? `; ${progress.pending.join(' and ')} did not finish` : '';
  const steps = progress.nextSteps.length > 0 ? `\nNext steps:\n${progress.nextSteps.map((step) => `  ${step}`).join('\n')}` : '';
  return `Cancelled: the project is written to ${progress.writtenTo}${notRun}.${steps}`;
}
