// The browser pattern's generated files, read as a reviewer would: the Content-Security-Policy matches the page,
// the page is small and self-contained, and it carries only the code the chosen providers and storage need.

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'acorn';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePage, removeGeneratedPages, type GeneratedPage } from './support/browser-page.js';
import { HOSTILE_NAMES } from './support/hostile-names.js';
import { fillInlineHashes } from '../src/render/csp.js';

// The page's budget for three providers (issue 12): one file, small enough to read and to audit.
const MAX_PAGE_BYTES = 64 * 1024;
const MAX_PAGE_GZIP_BYTES = 20 * 1024;

afterAll(removeGeneratedPages);

/** The directives of the page's CSP <meta>, each as its list of sources. */
function policy(html: string): Record<string, string[]> {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  expect(meta, 'CSP meta tag').not.toBeNull();
  return Object.fromEntries(
    meta![1]!.split(';').map((directive) => {
      const [name, ...sources] = directive.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

function inline(html: string, tag: 'script' | 'style'): string[] {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  return [...withoutComments.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function script(page: GeneratedPage): string {
  const scripts = inline(page.html, 'script');
  expect(scripts).toHaveLength(1);
  return scripts[0]!;
}

describe('the Content-Security-Policy', () => {
  it('allows exactly the inline script and style (by hash) and the providers’ origins, nothing else', async () => {
    const page = await generatePage({ providers: ['anthropic', 'openai', 'google'] });
    const csp = policy(page.html);
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toEqual([sha256(script(page))]);
    expect(csp['style-src']).toEqual(inline(page.html, 'style').map(sha256));
    expect(csp['connect-src']).toEqual([
      'https://api.anthropic.com',
      'https://api.openai.com',
      'https://generativelanguage.googleapis.com',
    ]);
    expect(csp['img-src']).toEqual(['data:']);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(csp['form-action']).toEqual(["'none'"]);
    // Markup sinks throw where Trusted Types are supported: the page only ever writes text.
    expect(csp['require-trusted-types-for']).toEqual(["'script'"]);
    expect(csp['trusted-types']).toEqual(["'none'"]);
    expect(page.html).not.toMatch(/unsafe-inline|unsafe-eval|inline-(script|style)-hashes/);
  });

  it('takes a --base-url with a path prefix as origin + path', async () => {
    const page = await generatePage({
      providers: ['openai', 'mistral'],
      extraArgs: ['--base-url', 'openai=https://gateway.example.com/v2/openai/', '--base-url', 'mistral=http://127.0.0.1:8080'],
    });
    expect(policy(page.html)['connect-src']).toEqual(['https://gateway.example.com/v2/openai/', 'http://127.0.0.1:8080/']);
    expect(script(page)).toContain("baseUrl: 'https://gateway.example.com/v2/openai'");
  });

  it.each(HOSTILE_NAMES)('still matches, with one script that parses, for the name %j', async (name) => {
    const page = await generatePage({ providers: ['anthropic'], name });
    expect(page.html.match(/<script/g)).toHaveLength(1);
    expect(policy(page.html)['script-src']).toEqual([sha256(script(page))]);
    expect(policy(page.html)['style-src']).toEqual(inline(page.html, 'style').map(sha256));
    parse(script(page), { ecmaVersion: 'latest', sourceType: 'module' });
  });

  it('escapes a hostile name in the title', async () => {
    const name = '</script><script>alert(1)</script> & "Tom\'s" <!-- tool';
    const page = await generatePage({ providers: ['openai'], name });
    expect(policy(page.html)['script-src']).toEqual([sha256(script(page))]);
    expect(page.html).toContain('<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; "Tom\'s" &lt;!-- tool</title>');
    expect(page.html.match(/<script/g)).toHaveLength(1);
    parse(script(page), { ecmaVersion: 'latest', sourceType: 'module' });
  });
});

describe('the CSP post-render step', () => {
  it('hashes the exact text of inline elements, skipping tags named inside HTML comments', () => {
    const html = [
      `<meta http-equiv="Content-Security-Policy" content="script-src 'inline-script-hashes'; style-src 'inline-style-hashes'">`,
      '<!-- an example: <script>not this</script> -->',
      '<style>\n p { color: red; }\n</style>',
      '<script type="module">\nconst a = 1;\n</script>',
    ].join('\n');
    const csp = policy(fillInlineHashes(html));
    expect(csp['script-src']).toEqual([sha256('\nconst a = 1;\n')]);
    expect(csp['style-src']).toEqual([sha256('\n p { color: red; }\n')]);
    expect(policy(fillInlineHashes(html.replace(/<style>[\s\S]*<\/style>/, '')))['style-src']).toEqual(["'none'"]);
  });
});

describe('the page', () => {
  it.each(['memory', 'session', 'encrypted'] as const)(
    'is self-contained, valid and at most 64 KB (20 KB gzipped) for three providers (storage %s)',
    async (storage) => {
      const page = await generatePage({ providers: ['anthropic', 'openai', 'google'], storage });
      const bytes = Buffer.byteLength(page.html);
      const gzipped = gzipSync(page.html).length;
      console.log(`page for three providers, storage ${storage}: ${bytes} bytes, ${gzipped} gzipped`);
      expect(bytes).toBeLessThanOrEqual(MAX_PAGE_BYTES);
      expect(gzipped).toBeLessThanOrEqual(MAX_PAGE_GZIP_BYTES);
      // Nothing loaded from anywhere: no src attributes, no stylesheet links, no imports.
      expect(page.html).not.toMatch(/\ssrc=|rel="stylesheet"|@import|\bimport\s*[({'"]/);
      const code = script(page);
      parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
      expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
      // No template noise.
      expect(page.html).not.toMatch(/\{\{|\}\}|\n\s*\n\s*\n/);
      expect(readFileSync(path.join(page.dir, 'README.md'), 'utf8')).not.toMatch(/\{\{|\}\}/);
    },
  );

  it('carries only the chosen families and storage (no dead branches)', async () => {
    const google = script(await generatePage({ providers: ['google'] }));
    expect(google).toContain('google: {');
    expect(google).not.toMatch(/anthropic|content_block_delta|choices|'Bearer'|sessionStorage\.setItem|crypto\.subtle/);

    const compatible = script(await generatePage({ providers: ['mistral', 'openrouter'], storage: 'session' }));
    expect(compatible).toMatch(/openai: \{/);
    // (crypto.subtle is there for "Connect OpenRouter": the SHA-256 of its PKCE verifier, no encryption.)
    expect(compatible).not.toMatch(/anthropic|x-goog-api-key|candidates|crypto\.subtle\.(?:encrypt|decrypt|deriveKey)|PBKDF2/);
    expect(compatible).toContain('Connect OpenRouter');
    expect(script(await generatePage({ providers: ['mistral'] }))).not.toMatch(/Connect OpenRouter|crypto\.subtle|history\.replaceState/);
    expect(compatible).toContain('sessionStorage.setItem');

    const anthropic = script(await generatePage({ providers: ['anthropic'], storage: 'encrypted' }));
    expect(anthropic).toContain("'anthropic-dangerous-direct-browser-access': 'true'");
    expect(anthropic).toContain('PBKDF2_ITERATIONS = 600000');
    expect(anthropic).not.toMatch(/choices|candidates|sessionStorage\.setItem/);
  });

  it('names its storage item after the project, as plain code (also for a name that starts with a digit)', async () => {
    expect(script(await generatePage({ providers: ['openai'], name: 'Acme Helper', storage: 'session' }))).toContain(
      "const STORAGE_ITEM = 'acme-helper.key';",
    );
    expect(script(await generatePage({ providers: ['openai'], name: '2048 Helper' }))).toContain(
      "const STORAGE_ITEM = '2048-helper.key';",
    );
  });

  it('has a provider selector only when several providers were generated', async () => {
    const one = await generatePage({ providers: ['openai'] });
    expect(one.html).not.toContain('<select id="provider">');
    const several = await generatePage({ providers: ['openai', 'google'] });
    expect(several.html).toContain('<select id="provider">');
    expect(several.html).toContain('<option value="google">Google Gemini</option>');
  });

  it('names the key field "API key" (a password field) and the chat field "Prompt"', async () => {
    const { html } = await generatePage({ providers: ['openai'] });
    expect(html).toContain('<label for="api-key">API key</label>');
    expect(html).toMatch(/<input id="api-key" type="password"/);
    expect(html).toContain('<label for="prompt">Prompt</label>');
    expect(html).toMatch(/role="log"/);
  });
});

describe('the README', () => {
  it('states what the page protects against, what it cannot, and how to deploy it', async () => {
    const page = await generatePage({ providers: ['anthropic', 'google'], storage: 'encrypted', name: 'Acme *Helper*' });
    const readme = readFileSync(path.join(page.dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# Acme \\\*Helper\\\*\n/);
    expect(readme).toContain('## Deploy');
    expect(readme).toContain('What it protects against');
    expect(readme).toContain('What it cannot protect against');
    expect(readme).toContain('Script running in the page = key theft');
    expect(readme).toContain("frame-ancestors 'none'");
    expect(readme).toContain('600,000 iterations');
    expect(readme).toContain('anthropic-dangerous-direct-browser-access');
    expect(readme).toContain('| Google Gemini | `https://generativelanguage.googleapis.com` |');
  });
});
