import { describe, expect, it } from 'vitest';
import { decodeLastGenerated, encodeLastGenerated } from '../src/project/manifest.js';
import { hasConflictMarkers, mergeFile, mergeThreeWay } from '../src/update/merge.js';
import { fillInlineHashes, inlineHashes } from '../src/render/csp.js';
import { planUpdate, type OnDisk } from '../src/update/plan.js';
import { compareVersions, isSafeRelativePath } from '../src/update/project.js';

/** The merge and the per-file decisions, in memory: every branch, quickly. */

const text = (...lines: string[]) => lines.map((line) => `${line}\n`).join('');
const BASE = text('one', 'two', 'three', 'four', 'five', 'six', 'seven');

describe('mergeThreeWay', () => {
  it('combines edits on separate lines', () => {
    const ours = text('one', 'two', 'three', 'four', 'five', 'six', 'seven', '// mine');
    const theirs = text('ONE', 'two', 'three', 'four', 'five', 'six', 'seven');
    expect(mergeThreeWay(ours, BASE, theirs)).toEqual({ content: text('ONE', 'two', 'three', 'four', 'five', 'six', 'seven', '// mine'), conflicts: 0 });
  });

  it('takes the same change made on both sides once', () => {
    const both = text('one', 'TWO', 'three', 'four', 'five', 'six', 'seven');
    expect(mergeThreeWay(both, BASE, both)).toEqual({ content: both, conflicts: 0 });
  });

  it('marks a line changed on both sides, with the three labelled versions', () => {
    const ours = text('one', 'two', 'three (mine)', 'four', 'five', 'six', 'seven');
    const theirs = text('one', 'two', 'three (new)', 'four', 'five', 'six', 'seven');
    const { content, conflicts } = mergeThreeWay(ours, BASE, theirs);
    expect(conflicts).toBe(1);
    expect(content).toBe(
      text('one', 'two', '<<<<<<< your version', 'three (mine)', '||||||| last generated', 'three', '=======', 'three (new)', '>>>>>>> new', 'four', 'five', 'six', 'seven'),
    );
    expect(hasConflictMarkers(content)).toBe(true);
  });

  it('keeps markers on lines of their own when a side lacks the final newline', () => {
    const { content } = mergeThreeWay('a\nmine', 'a\nb\n', 'a\nnew\n');
    expect(content).toBe(text('a', '<<<<<<< your version', 'mine', '||||||| last generated', 'b', '=======', 'new', '>>>>>>> new'));
  });

  it('merges a CRLF checkout against LF renders without turning every line into a conflict', () => {
    const ours = BASE.replace(/\n/g, '\r\n') + '// mine\r\n';
    const theirs = BASE.replace('one', 'ONE');
    const { content, conflicts } = mergeThreeWay(ours, BASE, theirs);
    expect(conflicts).toBe(0);
    expect(content).toBe(theirs.replace(/\n/g, '\r\n') + '// mine\r\n');
  });

  it('with no common ancestor, keeps both whole files in one conflict', () => {
    const { content, conflicts } = mergeThreeWay(text('mine'), '', text('generated'));
    expect(conflicts).toBe(1);
    expect(content).toBe(text('<<<<<<< your version', 'mine', '||||||| last generated', '=======', 'generated', '>>>>>>> new'));
  });

  it('does not take a lone marker-looking line for a conflict', () => {
    expect(hasConflictMarkers(text('<<<<<<< your version', 'only the start'))).toBe(false);
    expect(hasConflictMarkers(text('=======', 'a heading underline'))).toBe(false);
  });
});

describe('mergeFile on a page with a strict Content-Security-Policy', () => {
  const page = (connect: string, script: string[]) =>
    fillInlineHashes(
      text(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'inline-script-hashes'; style-src 'inline-style-hashes'; connect-src ${connect}">`,
        '<p>hello</p>',
        '<script>',
        ...script,
        '</script>',
      ),
    );
  const script = ['const a = 1;', 'const b = 2;', 'const c = 3;', 'const d = 4;'];

  it('merges a script edit with a policy change, and the policy lists the merged script', () => {
    const base = page('https://one.example', script);
    const theirs = page('https://two.example', script);
    // The user edited the script and, as they must for the page to run, put its new hash in the policy.
    const ours = page('https://one.example', [...script, 'console.log("mine");']);
    expect(mergeThreeWay(ours, base, theirs).conflicts).toBe(1);

    const { content, conflicts } = mergeFile('index.html', ours, base, theirs);
    expect(conflicts).toBe(0);
    expect(content).toContain('connect-src https://two.example');
    expect(content).toContain('console.log("mine");');
    expect(content).toBe(page('https://two.example', [...script, 'console.log("mine");']));
    expect(content).toContain(`script-src ${inlineHashes(content, 'script')[0]};`);
    expect(content).toContain("style-src 'none';");
  });

  it('recomputes a policy the user left stale, and leaves pages without generated hashes to the plain merge', () => {
    const base = page('https://one.example', script);
    const stale = base.replace('const a = 1;', 'const a = 10;');
    expect(mergeFile('index.html', stale, base, base).content).toBe(page('https://one.example', ['const a = 10;', ...script.slice(1)]));
    const handWritten = base.replace(/'sha256-[^']+'/, "'sha256-AAAA'");
    expect(mergeFile('index.html', stale, handWritten, handWritten).content).toBe(stale);
    expect(mergeFile('notes.txt', stale, base, base).content).toBe(stale);
  });
});

describe('planUpdate', () => {
  const disk = (files: Record<string, string | null | 'DIR'>) => (file: string): OnDisk => {
    const value = files[file];
    if (value === undefined || value === null) return { kind: 'missing' };
    if (value === 'DIR') return { kind: 'other' };
    return { kind: 'file', bytes: Buffer.from(value) };
  };
  const map = (files: Record<string, string>) => new Map(Object.entries(files));

  it('gives every file the status the issue names', () => {
    const base = map({
      'pristine.js': 'p\n',
      'same.js': 's\n',
      'edited.js': BASE,
      'clash.js': BASE,
      'gone-pristine.js': 'g\n',
      'gone-edited.js': 'g\n',
      'gone-missing.js': 'g\n',
      'deleted.js': 'd\n',
      'dir.js': 'x\n',
    });
    const next = map({
      'pristine.js': 'P\n',
      'same.js': 's\n',
      'edited.js': BASE.replace('one', 'ONE'),
      'clash.js': BASE.replace('three', 'three (new)'),
      'deleted.js': 'D\n',
      'dir.js': 'X\n',
      'new.js': 'n\n',
      'new-taken.js': 'n\n',
      'new-same.js': 'same\n',
      'byok.json': '{}\n',
    });
    const plan = planUpdate({
      base,
      next,
      restore: false,
      read: disk({
        'pristine.js': 'p\n',
        'same.js': 's\n',
        'edited.js': `${BASE}// mine\n`,
        'clash.js': BASE.replace('three', 'three (mine)'),
        'gone-pristine.js': 'g\n',
        'gone-edited.js': 'g (mine)\n',
        'dir.js': 'DIR',
        'new-taken.js': 'mine\n',
        'new-same.js': 'same\n',
        'byok.json': '{"old":1}\n',
      }),
    });
    const status = Object.fromEntries(plan.map((entry) => [entry.file, entry.status]));
    expect(status).toEqual({
      'clash.js': 'conflict',
      'deleted.js': 'skipped',
      'dir.js': 'conflict',
      'edited.js': 'merged',
      'gone-edited.js': 'kept',
      'gone-missing.js': 'removed',
      'gone-pristine.js': 'removed',
      'new-same.js': 'unchanged',
      'new-taken.js': 'conflict',
      'new.js': 'added',
      'pristine.js': 'updated',
      'same.js': 'unchanged',
      'byok.json': 'updated',
    });
    const entry = (file: string) => plan.find((item) => item.file === file)!;
    expect(entry('edited.js').write).toBe(`${BASE.replace('one', 'ONE')}// mine\n`);
    expect(entry('gone-pristine.js').remove).toBe(true);
    expect(entry('gone-edited.js').remove).toBeUndefined();
    expect(entry('gone-missing.js').remove).toBeUndefined();
    expect(entry('deleted.js').write).toBeUndefined();
    expect(entry('dir.js').write).toBeUndefined();
    expect(entry('new-taken.js').write).toContain('mine\n');
    expect(plan.at(-1)!.file).toBe('byok.json');
  });

  it('--restore writes back the files the user deleted, as the new render has them', () => {
    const plan = planUpdate({ base: map({ 'a.js': 'a\n' }), next: map({ 'a.js': 'A\n' }), restore: true, read: disk({}) });
    expect(plan).toEqual([{ file: 'a.js', status: 'added', reason: expect.stringContaining('restored'), write: 'A\n' }]);
  });

  it('treats a file that is not UTF-8 as a conflict it leaves alone', () => {
    const plan = planUpdate({
      base: map({ 'a.txt': 'a\n' }),
      next: map({ 'a.txt': 'A\n' }),
      restore: false,
      read: () => ({ kind: 'file', bytes: Buffer.from([0xff, 0xfe, 0x00, 0x41]) }),
    });
    expect(plan).toEqual([{ file: 'a.txt', status: 'conflict', reason: expect.stringContaining('UTF-8') }]);
  });
});

describe('the copy of the last render', () => {
  it('is deterministic and round-trips exactly', () => {
    const files = new Map([
      ['b.js', 'b\n'],
      ['a/é.md', 'héllo\r\nno final newline'],
    ]);
    const encoded = encodeLastGenerated(files);
    expect(encodeLastGenerated(new Map([...files].reverse()))).toEqual(encoded);
    expect(decodeLastGenerated(encoded)).toEqual(new Map([...files].sort()));
  });

  it('refuses a decompression bomb', () => {
    const encoded = encodeLastGenerated(new Map([['big', 'x'.repeat(100_000)]]));
    expect(() => decodeLastGenerated(encoded, 10_000)).toThrow();
  });
});

describe('paths from byok.json', () => {
  it.each(['a.js', 'src/a.js', '.gitignore', 'includes/class-x.php'])('accepts %s', (file) => expect(isSafeRelativePath(file)).toBe(true));
  it.each(['', '/etc/passwd', '../x', 'a/../../x', 'a/./b', 'a//b', 'a\\b', 'C:/x', '.git/config', 'a\0b'])('refuses %j', (file) =>
    expect(isSafeRelativePath(file)).toBe(false),
  );
});

describe('versions', () => {
  it('compares numerically', () => {
    expect(compareVersions('0.10.0', '0.9.9')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('1.0.0-beta.1', '1.0.1')).toBeLessThan(0);
  });
});
