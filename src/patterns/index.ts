/**
 * The three patterns, as data: prompts, flags, validation and rendering all read this table, the way
 * create-vite's framework list drives its CLI. Adding an option is an entry here plus its use in the templates.
 */
export type PatternId = 'browser' | 'wordpress' | 'proxy' | 'worker';

export interface PatternChoice {
  value: string;
  label: string;
  hint: string;
}

export interface PatternOption {
  /** Key in the answers and the template context (`options.storage`). */
  key: string;
  /** Long flag without dashes. */
  flag: string;
  /** Flag argument name in --help. */
  argument: string;
  message: string;
  /** Short name in the summary (`Key storage: Memory only`). */
  summary: string;
  choices: PatternChoice[];
  default: string;
}

export interface PatternDefinition {
  id: PatternId;
  /** The situation, as the "Where will this run?" prompt phrases it. */
  situation: string;
  /** Where the key lives and what the risk is, in one line. */
  hint: string;
  options: PatternOption[];
  /**
   * True when the project folder is named by the slug (a WordPress plugin folder must be), rather than being
   * exactly the directory the user gave.
   */
  folderIsSlug: boolean;
}

export const PATTERNS: readonly PatternDefinition[] = [
  {
    id: 'browser',
    situation: 'A pure front-end tool with no server',
    hint: 'the key stays in the user’s browser; anything that runs script on the page can read it',
    options: [
      {
        key: 'storage',
        flag: 'storage',
        argument: 'memory|session|encrypted',
        message: 'Where should the page keep the key?',
        summary: 'Key storage',
        choices: [
          { value: 'memory', label: 'Memory only', hint: 'gone on reload: the safest' },
          { value: 'session', label: 'Session storage', hint: 'survives reloads, gone when the tab closes' },
          {
            value: 'encrypted',
            label: 'Encrypted in local storage',
            hint: 'AES-GCM with a passphrase asked once per session',
          },
        ],
        default: 'memory',
      },
    ],
    folderIsSlug: false,
  },
  {
    id: 'wordpress',
    situation: 'A WordPress site',
    hint: 'admins enter the key once; stored encrypted in the database; calls made server-side',
    options: [],
    folderIsSlug: true,
  },
  {
    id: 'proxy',
    situation: 'A server that calls the provider for its users',
    hint: 'users send their key per request; the proxy forwards it, never stores it, and limits abuse',
    options: [
      {
        key: 'rateLimitStore',
        flag: 'rate-limit-store',
        argument: 'memory|redis',
        message: 'Where should rate limits be counted?',
        summary: 'Rate limits',
        choices: [
          { value: 'memory', label: 'In memory', hint: 'one process, zero dependencies' },
          { value: 'redis', label: 'Redis', hint: 'shared by several replicas; adds ioredis' },
        ],
        default: 'memory',
      },
    ],
    folderIsSlug: false,
  },
  {
    id: 'worker',
    situation: 'At the edge, on Cloudflare Workers (no server to run)',
    hint: 'the proxy as a Worker: keys forwarded per request, never stored; limits in Durable Objects',
    options: [
      {
        key: 'rateLimitStore',
        flag: 'rate-limit-store',
        argument: 'durable-object|rate-limit-binding',
        message: 'Where should rate limits be counted?',
        summary: 'Rate limits',
        choices: [
          { value: 'durable-object', label: 'Durable Objects', hint: 'exact and global: every location sees the same count' },
          { value: 'rate-limit-binding', label: 'Rate Limiting binding', hint: 'cheaper; counted per location, 10 or 60 s periods' },
        ],
        default: 'durable-object',
      },
    ],
    folderIsSlug: false,
  },
];

export const PATTERN_IDS: readonly PatternId[] = PATTERNS.map((pattern) => pattern.id);

export function findPattern(id: string): PatternDefinition | undefined {
  return PATTERNS.find((pattern) => pattern.id === id);
}

/** Every pattern option, with the pattern it belongs to (flags are registered once for all patterns). */
export function allPatternOptions(): Array<{ pattern: PatternDefinition; option: PatternOption }> {
  return PATTERNS.flatMap((pattern) => pattern.options.map((option) => ({ pattern, option })));
}
