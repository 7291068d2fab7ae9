import vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  commentText,
  htmlAttribute,
  htmlText,
  identifier,
  json,
  jsLiteral,
  jsSingleQuoted,
  jsString,
  markdownText,
  phpLiteral,
  phpString,
} from '../src/render/escape.js';
import { HOSTILE_NAMES } from './support/hostile-names.js';

describe('escaping helpers', () => {
  it.each(HOSTILE_NAMES)('JavaScript literals round-trip %j', (name) => {
    expect(vm.runInNewContext(jsString(name))).toBe(name);
    expect(vm.runInNewContext(jsSingleQuoted(name))).toBe(name);
    expect(vm.runInNewContext(`(${jsLiteral({ name, list: [name] })})`)).toEqual({ name, list: [name] });
    expect(JSON.parse(json({ name }))).toEqual({ name });
    for (const literal of [jsString(name), jsSingleQuoted(name), json(name)]) {
      expect(literal).not.toMatch(/<\/script/i);
      expect(literal).not.toContain('<!--');
    }
  });

  it('PHP single-quoted strings round-trip every hostile name', () => {
    const program = HOSTILE_NAMES.map((name) => `echo base64_encode(${phpString(name)}), "\\n";`).join('\n');
    const out = execFileSync('php', ['-r', program], { encoding: 'utf8' }).trim().split('\n');
    expect(out.map((line) => Buffer.from(line, 'base64').toString('utf8'))).toEqual(HOSTILE_NAMES);
    const array = execFileSync('php', ['-r', `echo json_encode(${phpLiteral({ name: HOSTILE_NAMES[0], n: [1, true] })});`], {
      encoding: 'utf8',
    });
    expect(JSON.parse(array)).toEqual({ name: HOSTILE_NAMES[0], n: [1, true] });
  });

  it('HTML text and attributes cannot open tags or close quotes', () => {
    expect(htmlText('<b>&</b>')).toBe('&lt;b&gt;&amp;&lt;/b&gt;');
    expect(htmlAttribute(`" onclick='x' \``)).toBe('&quot; onclick=&#39;x&#39; &#96;');
  });

  it('comment text stays on one line and cannot end the comment', () => {
    const text = commentText('a */ b ?> c --> d\nnext </script> <!-- e');
    expect(text).not.toMatch(/\*\/|\?>|-->|<!--|\n|<\/script/);
    expect(markdownText('# *Bold* <b> [x](y)\nline')).toBe('\\# \\*Bold\\* &lt;b> \\[x\\](y) line');
  });

  it('identifiers are checked, never escaped', () => {
    expect(identifier('acme_helper')).toBe('acme_helper');
    expect(identifier('2048-helper')).toBe('2048-helper');
    expect(() => identifier('a b')).toThrow(/safe identifier/);
    expect(() => identifier("x'); drop")).toThrow();
  });
});
