import type { Io } from '../cli/io.js';

export interface UpdateFlags {
  provider?: string;
  model?: string[];
  baseUrl?: string[];
  dryRun?: boolean;
  json?: boolean;
  allowDirty?: boolean;
  restore?: boolean;
  yes?: boolean;
  [option: string]: unknown;
}

export interface UpdateReport {
  directory: string;
  conflicts: string[];
}

/** `create-byok update`: regenerates a project after a provider or option change without losing edits. */
export async function runUpdate(_dir: string | undefined, _flags: UpdateFlags, _io: Io): Promise<UpdateReport> {
  throw new Error('update is not implemented yet');
}
