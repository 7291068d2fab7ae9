import { describe, expect, it } from 'vitest';
import type { Answers } from '../src/answers.js';
import { nextSteps } from '../src/patterns/next-steps.js';
import { packageManagerFromUserAgent } from '../src/project/package-manager.js';

const answers = (pattern: Answers['pattern']): Answers => ({
  name: 'Acme Helper',
  pattern,
  providers: ['openai'],
  models: {},
  baseUrls: {},
  options: {},
});

describe('package manager and next steps', () => {
  it('detects the package manager that ran create-byok', () => {
    expect(packageManagerFromUserAgent('pnpm/9.1.0 npm/? node/v20.20.2 linux x64')).toBe('pnpm');
    expect(packageManagerFromUserAgent('yarn/1.22.22 npm/? node/v20.20.2 linux x64')).toBe('yarn');
    expect(packageManagerFromUserAgent('bun/1.1.0 npm/? node/v20.20.2 linux x64')).toBe('bun');
    expect(packageManagerFromUserAgent('npm/11.19.1 node/v20.20.2 linux x64')).toBe('npm');
    expect(packageManagerFromUserAgent(undefined)).toBe('npm');
  });

  it('speaks the detected package manager', () => {
    const steps = (pm: 'npm' | 'pnpm' | 'yarn' | 'bun') => nextSteps(answers('proxy'), { relativeDir: 'my proxy', pm, needsInstall: true, slug: 'x' });
    expect(steps('npm')).toEqual(["cd 'my proxy'", 'npm install', expect.stringContaining('.env'), 'npm start', 'npm test']);
    expect(steps('pnpm')).toContain('pnpm install');
    expect(steps('pnpm')).toContain('pnpm start');
    expect(steps('yarn')).toContain('yarn');
    expect(steps('bun')).toContain('bun start');
    expect(nextSteps(answers('proxy'), { relativeDir: '.', pm: 'npm', needsInstall: false, slug: 'x' })[0]).not.toMatch(/^cd /);
    expect(nextSteps(answers('wordpress'), { relativeDir: 'acme-helper', pm: 'npm', needsInstall: false, slug: 'acme-helper' }).join('\\n')).toContain(
      'Settings > Acme Helper',
    );
  });
});
