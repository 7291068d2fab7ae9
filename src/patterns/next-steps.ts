import path from 'node:path';
import type { Answers } from '../answers.js';
import { shellQuote } from '../project/shell.js';
import { installCommand, runCommand, type PackageManager } from '../project/package-manager.js';

/** What to do after generation, per pattern, for the package manager that ran us. */
export function nextSteps(
  answers: Answers,
  context: { relativeDir: string; pm: PackageManager; needsInstall: boolean; slug: string },
): string[] {
  const cd = context.relativeDir && context.relativeDir !== '.' ? [`cd ${shellQuote(context.relativeDir)}`] : [];
  const install = context.needsInstall ? [installCommand(context.pm)] : [];
  switch (answers.pattern) {
    case 'browser':
      return [
        ...cd,
        'Open index.html in a browser (file:// works), or serve the folder from any static host',
        'Read README.md: what the page protects against, and what it cannot',
      ];
    case 'proxy':
      return [...cd, ...install, 'cp .env.example .env   # then adjust limits and origins', runCommand(context.pm, 'start'), runCommand(context.pm, 'test')];
    case 'worker':
      return [...cd, ...install, 'cp .dev.vars.example .dev.vars   # then set KEY_FINGERPRINT_SECRET', runCommand(context.pm, 'dev'), runCommand(context.pm, 'test')];
    case 'wordpress': {
      // Zip without the development files (.distignore lists them): byok.json and .git must not reach the site.
      const parent = context.relativeDir === '.' ? '..' : path.dirname(context.relativeDir || context.slug);
      const slug = context.slug;
      return [
        ...(parent !== '.' ? [`cd ${shellQuote(parent)}`] : []),
        `zip -r ${slug}.zip ${slug} -x '${slug}/byok.json' '${slug}/.*'   # or: wp dist-archive ${slug}`,
        'Upload the zip under Plugins > Add New > Upload Plugin, and activate it',
        `Enter the key under Settings > ${answers.name.replace(/\s+/g, ' ')}`,
      ];
    }
  }
}
