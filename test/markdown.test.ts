import { describe, expect, it } from 'vitest';
import type { Answers } from '../src/answers.js';
import { PATTERNS } from '../src/patterns/index.js';
import { generate } from '../src/project/generate.js';
import { PROVIDER_IDS } from '../src/providers/index.js';
import { rewrapMarkdown } from '../src/render/markdown.js';

const WIDTH = 116;

describe('generated READMEs', () => {
  it('rewraps paragraphs and list items, and leaves code, tables, headings and comments alone', () => {
    const heading = '# A heading that is longer than the width would allow if it were a paragraph, which it is not, so it stays as it is';
    // Code, tables and comments come out exactly as they went in.
    const untouched = ['```sh', 'npm   start   # spacing kept', '```', '', '| a | b |', '|---|---|', '<!-- a comment', 'over lines -->'];
    const source = [
      heading,
      '',
      'A paragraph wrapped by hand around',
      'a substituted name, so that it came out ragged.',
      '',
      '1. An item',
      '   that goes on.',
      '- another',
      '',
      ...untouched,
    ].join('\n');
    expect(rewrapMarkdown(source, 40)).toBe(
      [
        heading,
        '',
        'A paragraph wrapped by hand around a',
        'substituted name, so that it came out',
        'ragged.',
        '',
        '1. An item that goes on.',
        '- another',
        '',
        ...untouched,
      ].join('\n'),
    );
  });

  it.each(PATTERNS.map((pattern) => [pattern.id, pattern] as const))(
    '%s: no paragraph line is ragged, whatever the length of the name',
    async (_id, pattern) => {
      for (const name of ['X', 'A Considerably Longer Project Name Than Anyone Would Type']) {
        const answers: Answers = {
          name,
          pattern: pattern.id,
          providers: [...PROVIDER_IDS],
          models: {},
          baseUrls: {},
          options: Object.fromEntries(pattern.options.map((option) => [option.key, option.default])),
        };
        for (const [file, content] of (await generate(answers)).files) {
          if (!file.endsWith('.md')) continue;
          const ragged: string[] = [];
          let fenced = false;
          const lines = content.split('\n');
          lines.forEach((line, index) => {
            if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
            const next = lines[index + 1] ?? '';
            const prose = (text: string) => text.trim() !== '' && !/^\s*([-*+]|\d+[.)]|#|\||>|<|```|~~~)/.test(text);
            // A line followed by more of the same paragraph must be full: the next word would not have fitted.
            if (fenced || !prose(line) || !prose(next) || /^\s*<!--/.test(line)) return;
            const firstWord = next.trim().split(/\s+/)[0]!;
            if (line.length + 1 + firstWord.length <= WIDTH) ragged.push(`${file}:${index + 1}: ${line}`);
          });
          expect(ragged, `${pattern.id} ${name}`).toEqual([]);
        }
      }
    },
  );
});
