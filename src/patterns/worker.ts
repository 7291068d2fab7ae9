import { runCommand } from '../project/package-manager.js';
import { definePattern } from './types.js';

/** The proxy on Cloudflare Workers: keys forwarded per request and never stored, limits held at the edge. */
export const worker = definePattern({
  id: 'worker',
  situation: 'At the edge, on Cloudflare Workers (no server to run)',
  hint: 'the proxy as a Worker: users send their key per request; it is forwarded, never stored, and limited',
  options: [
    {
      key: 'rateLimitStore',
      flag: 'rate-limit-store',
      argument: 'durable-object|rate-limit-binding',
      message: 'Where should rate limits be counted?',
      summary: 'Rate limits',
      choices: [
        { value: 'durable-object', label: 'Durable Objects', hint: 'exact and global: every location sees the same count' },
        {
          value: 'rate-limit-binding',
          label: 'Rate Limiting binding',
          hint: 'cheaper; counted per location, in periods of 10 or 60 s',
        },
      ],
      default: 'durable-object',
    },
  ],
  folderIsSlug: false,
  describeNames: (names) => `package name ${names.packageName}, Worker name ${names.slug}`,
  warnings: () => [],
  nextSteps: ({ cd, install, pm }) => [
    ...cd,
    ...install,
    'cp .dev.vars.example .dev.vars   # then set KEY_FINGERPRINT_SECRET (openssl rand -hex 32)',
    runCommand(pm, 'dev'),
    runCommand(pm, 'test'),
    'npx wrangler secret put KEY_FINGERPRINT_SECRET && npx wrangler deploy',
  ],
});
