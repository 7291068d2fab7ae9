import { runCommand } from '../project/package-manager.js';
import { definePattern } from './types.js';

/** A zero-dependency Node server that forwards each user's key per request, never storing it. */
export const proxy = definePattern({
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
  describeNames: (names) => `package name ${names.packageName}`,
  warnings: () => [],
  nextSteps: ({ cd, install, pm }) => [
    ...cd,
    ...install,
    'cp .env.example .env   # then adjust limits and origins',
    runCommand(pm, 'start'),
    runCommand(pm, 'test'),
  ],
});
