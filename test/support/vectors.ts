import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as acorn from 'acorn';
import { repoRoot } from './cli.js';
import { fakeKey } from './fake-keys.js';

/**
 * The shared test vectors (test/vectors/*.json) and what it takes to run them: keys built at run time (never a
 * key-shaped literal in the repository), their encoded forms, and the pieces of the browser page's inline script.
 */

export function loadVectors<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(repoRoot, 'test', 'vectors', `${name}.json`), 'utf8')) as T;
}

export interface RedactionCase {
  name: string;
  keys: Record<string, string>;
  secrets: string[];
  input: string;
  output: string;
}

export interface KeyCheckCase {
  provider: string;
  status: number;
  body: string;
  outcome: string;
}

export interface PathCase {
  provider: string;
  path: string;
  forwarded: boolean;
}

export interface TokenBucketCase {
  name: string;
  policy: { name: string; perMinute: number; burst: number };
  steps: Array<{ at: number; allowed: boolean; remaining: number; resetSeconds: number; retryAfterSeconds: number }>;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A key from its recipe: `shape:<provider>[:<n>]`, `chars:<length>`, or the literal text itself. */
export function buildKey(recipe: string): string {
  const shape = /^shape:([a-z]+)(?::(\d+))?$/.exec(recipe);
  if (shape) return fakeKey(shape[1]!, Number(shape[2] ?? 0));
  const chars = /^chars:(\d+)$/.exec(recipe);
  if (chars) return [...randomBytes(Number(chars[1]))].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
  return recipe;
}

const hex = (char: string) => char.charCodeAt(0).toString(16).padStart(2, '0');

/** The forms a key takes inside other text, by the names the vectors use. */
export const FORMS: Record<string, (key: string) => string> = {
  raw: (key) => key,
  json: (key) => JSON.stringify(key).slice(1, -1),
  jsonslash: (key) => JSON.stringify(key).slice(1, -1).replace(/\//g, '\\/'),
  unicode: (key) => [...key].map((char) => `\\u00${hex(char)}`).join(''),
  UNICODE: (key) => [...key].map((char) => `\\u00${hex(char).toUpperCase()}`).join(''),
  url: (key) => encodeURIComponent(key),
  percent: (key) => [...key].map((char) => `%${hex(char).toUpperCase()}`).join(''),
  percentlower: (key) => [...key].map((char) => `%${hex(char)}`).join(''),
  base64: (key) => Buffer.from(key).toString('base64'),
  base64url: (key) => Buffer.from(key).toString('base64url'),
};

/** A redaction case with its keys built and its texts filled in. */
export function expandRedaction(vector: RedactionCase): { name: string; secrets: string[]; input: string; output: string } {
  const keys = Object.fromEntries(Object.entries(vector.keys).map(([name, recipe]) => [name, buildKey(recipe)]));
  const fill = (text: string) =>
    text.replace(/\{(\w+)(?::(\w+))?\}/g, (whole, name: string, form = 'raw') => {
      const key = keys[name];
      const encode = FORMS[form as string];
      if (key === undefined || !encode) throw new Error(`${vector.name}: unknown ${whole}`);
      if (form.startsWith('base64') && key.length % 3 !== 0) throw new Error(`${vector.name}: a base64 key must be a multiple of 3 long`);
      return encode(key);
    });
  return { name: vector.name, secrets: vector.secrets.map((name) => keys[name]!), input: fill(vector.input), output: fill(vector.output) };
}

/** The first inline script of a page. */
export function inlineScript(html: string): string {
  const match = /<script type="module">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('the page has no inline module script');
  return match[1]!;
}

/**
 * Top-level declarations of a script, runnable outside the page: `names` and every top-level declaration they
 * use, in source order, evaluated in a fresh function scope (no DOM: anything that touches it is left out).
 */
export function extractDeclarations(script: string, names: string[]): Record<string, unknown> {
  const program = acorn.parse(script, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as { body: acorn.Node[] };
  const declarations = new Map<string, acorn.Node>();
  for (const node of program.body) {
    const n = node as acorn.Node & { id?: { name: string }; declarations?: Array<{ id: { type: string; name: string } }> };
    if ((n.type === 'FunctionDeclaration' || n.type === 'ClassDeclaration') && n.id) declarations.set(n.id.name, n);
    if (n.type === 'VariableDeclaration') for (const d of n.declarations!) if (d.id.type === 'Identifier') declarations.set(d.id.name, n);
  }
  const wanted = new Set<acorn.Node>();
  const visit = (name: string) => {
    const node = declarations.get(name);
    if (!node || wanted.has(node)) return;
    wanted.add(node);
    for (const used of identifiersIn(node)) visit(used);
  };
  for (const name of names) {
    if (!declarations.has(name)) throw new Error(`the page declares no ${name} at the top level`);
    visit(name);
  }
  const source = [...wanted].sort((a, b) => a.start - b.start).map((node) => script.slice(node.start, node.end)).join('\n');
  return new Function(`${source}\nreturn { ${names.join(', ')} };`)() as Record<string, unknown>;
}

function identifiersIn(node: unknown, found = new Set<string>()): Set<string> {
  if (!node || typeof node !== 'object') return found;
  if (Array.isArray(node)) {
    for (const child of node) identifiersIn(child, found);
    return found;
  }
  const n = node as { type?: string; name?: string };
  if (n.type === 'Identifier' && n.name) found.add(n.name);
  for (const value of Object.values(node)) if (value && typeof value === 'object') identifiersIn(value, found);
  return found;
}
