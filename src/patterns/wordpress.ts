import path from 'node:path';
import { trademarkIssue } from '../project/names.js';
import { shellPath } from '../project/shell.js';
import { definePattern } from './types.js';

/** A WordPress plugin: admins enter the key once, it is stored encrypted, and calls are made server-side. */
export const wordpress = definePattern({
  id: 'wordpress',
  situation: 'A WordPress site',
  hint: 'admins enter the key once; stored encrypted in the database; calls made server-side',
  options: [],
  folderIsSlug: true,
  describeNames: (names) => `plugin slug and text domain ${names.slug}, PHP prefix ${names.functionPrefix}_ / ${names.constantPrefix}_`,
  warnings: ({ names, targetDir }) => {
    const warnings: string[] = [];
    if (path.basename(targetDir) !== names.slug) {
      warnings.push(`The folder is ${path.basename(targetDir)}; WordPress plugins usually sit in a folder named by their slug (${names.slug}).`);
    }
    const issue = trademarkIssue(names.slug);
    if (issue) {
      warnings.push(
        `The slug "${names.slug}" starts with "${issue.trademark}", which the WordPress plugin directory refuses. ` +
          `Fine for a private plugin; to publish, use e.g. --name "${issue.suggestion}".`,
      );
    }
    return warnings;
  },
  nextSteps: ({ name, names, relativeDir, targetDir }) => {
    // Zip without the development files (.distignore lists them): byok.json and .git must not reach the site.
    // The folder is zipped under its own name (the slug unless the user named the folder otherwise).
    const parent = relativeDir === '.' ? '..' : path.dirname(relativeDir || names.slug);
    const folder = path.basename(relativeDir === '.' ? targetDir : relativeDir || names.slug) || names.slug;
    const inFolder = (pattern: string) => `'${`${folder}/${pattern}`.replace(/'/g, `'\\''`)}'`;
    return [
      ...(parent !== '.' ? [`cd ${shellPath(parent)}`] : []),
      `zip -r ${shellPath(`${folder}.zip`)} ${shellPath(folder)} -x ${inFolder('byok.json')} ${inFolder('.*')}   # or: wp dist-archive ${shellPath(folder)}`,
      'Upload the zip under Plugins > Add New > Upload Plugin, and activate it',
      `Enter the key under Settings > ${name.replace(/\s+/g, ' ')}`,
    ];
  },
});
