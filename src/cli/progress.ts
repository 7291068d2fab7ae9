/**
 * How far a run got, for the signal handler: before the project is written, Ctrl-C cancels cleanly (writing is
 * one synchronous step, so a signal lands before or after it, never inside); after, it interrupts git or the
 * install and says what is already on disk.
 */
export const progress: { writtenTo?: string } = {};
