import { readFileSync, renameSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProject, runCli, tempDir } from './support/cli.js';

let work: { dir: string; cleanup: () => void };
beforeAll(() => {
  work = tempDir('byok-update-safety-');
});
afterAll(() => work.cleanup());

describe('update never reaches outside the project', () => {
  it('refuses to write through a directory link that leads elsewhere, and changes nothing', async () => {
    const dir = path.join(work.dir, 'proxy');
    await generateProject(dir, ['--pattern', 'proxy', '--provider', 'openai']);
    // The project's src/ now lives elsewhere, reached through a link.
    const outside = path.join(work.dir, 'elsewhere');
    renameSync(path.join(dir, 'src'), outside);
    symlinkSync(outside, path.join(dir, 'src'));
    const before = readFileSync(path.join(outside, 'providers.js'), 'utf8');
    const manifestBefore = readFileSync(path.join(dir, 'byok.json'), 'utf8');

    const result = await runCli(['update', dir, '--provider', 'openai,google', '--yes']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('outside the project');
    expect(readFileSync(path.join(outside, 'providers.js'), 'utf8')).toBe(before);
    expect(readFileSync(path.join(dir, 'byok.json'), 'utf8')).toBe(manifestBefore);
  });
});
