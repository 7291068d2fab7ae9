/**
 * A path as a shell argument: quoted when it needs it, and never read as an option (`cd -` goes back to the
 * previous directory; `cd ./-` enters the folder named `-`).
 */
export function shellPath(value: string): string {
  return shellQuote(value.startsWith('-') ? `./${value}` : value);
}

/** Quotes a value for a POSIX shell when it needs it. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
