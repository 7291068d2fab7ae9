import { createHash } from 'node:crypto';
import type { RenderedFiles } from './render.js';

/**
 * Content-Security-Policy hashes for rendered HTML pages. A strict policy lets an inline <script> or <style> run
 * only if the policy lists the SHA-256 of its exact text, so the hashes can only be computed from the final
 * rendered (and tidied) page. A template writes these placeholders where the hashes go:
 *
 *   script-src 'inline-script-hashes'; style-src 'inline-style-hashes'
 *
 * and this step replaces each with the hashes of the page's inline scripts or styles ('none' when it has none).
 */
export const INLINE_SCRIPT_HASHES = "'inline-script-hashes'";
export const INLINE_STYLE_HASHES = "'inline-style-hashes'";

/** Inline elements and HTML comments, left to right, so that a tag named inside a comment is not taken for one. */
const INLINE_ELEMENT = /<!--[\s\S]*?-->|<(script|style)\b[^>]*>([\s\S]*?)<\/\1\s*>/gi;

/** The CSP source expressions for every inline element `tag` in `html`, in document order. */
export function inlineHashes(html: string, tag: 'script' | 'style'): string[] {
  const hashes: string[] = [];
  for (const [, name, text] of html.matchAll(INLINE_ELEMENT)) {
    if (name?.toLowerCase() !== tag) continue;
    hashes.push(`'sha256-${createHash('sha256').update(text ?? '', 'utf8').digest('base64')}'`);
  }
  return [...new Set(hashes)];
}

/** Replaces the hash placeholders of one page. */
export function fillInlineHashes(html: string): string {
  if (!html.includes(INLINE_SCRIPT_HASHES) && !html.includes(INLINE_STYLE_HASHES)) return html;
  const sources = (tag: 'script' | 'style') => inlineHashes(html, tag).join(' ') || "'none'";
  return html.replaceAll(INLINE_SCRIPT_HASHES, sources('script')).replaceAll(INLINE_STYLE_HASHES, sources('style'));
}

/** Fills the hash placeholders of every `.html` file of a rendered project, in place. */
export function fillContentSecurityPolicies(files: RenderedFiles): RenderedFiles {
  for (const [file, content] of files) {
    if (file.endsWith('.html')) files.set(file, fillInlineHashes(content));
  }
  return files;
}
