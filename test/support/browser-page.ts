// Rig for the browser pattern's end-to-end tests: generate a page with the built CLI (pointed at the fake
// provider), serve it on 127.0.0.1 or open it from file://, drive Debian's Chromium with playwright-core, and
// watch everything that could leak a key or break the Content-Security-Policy.

import { createReadStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generateProject, tempDir } from './cli.js';
import type { FakeProvider, ProviderId, RecordedRequest } from './fake-provider.mjs';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** One Chromium per test file (two cores are shared); tests open their own contexts. A missing rig is an error. */
export async function launchChromium(): Promise<Browser> {
  try {
    statSync(CHROMIUM);
  } catch {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/install-rigs.sh does).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface GeneratedPage {
  dir: string;
  file: string;
  html: string;
}

const cleanups: Array<() => void> = [];

/** Removes every directory generatePage() created (call it from afterAll). */
export function removeGeneratedPages(): void {
  for (const cleanup of cleanups.splice(0)) cleanup();
}

/** Runs the built CLI into a fresh temporary directory, every provider pointed at the fake. */
export async function generatePage(options: {
  providers: ProviderId[];
  fake?: FakeProvider;
  storage?: 'memory' | 'session' | 'encrypted';
  name?: string;
  extraArgs?: string[];
}): Promise<GeneratedPage> {
  const temp = tempDir();
  cleanups.push(temp.cleanup);
  const dir = path.join(temp.dir, 'page');
  const args = ['--pattern', 'browser', '--provider', options.providers.join(',')];
  if (options.name) args.push('--name', options.name);
  if (options.storage) args.push('--storage', options.storage);
  const fake = options.fake;
  if (fake) for (const id of options.providers) args.push('--base-url', `${id}=${fake.baseUrl(id)}`);
  args.push(...(options.extraArgs ?? []));
  await generateProject(dir, args);
  const file = path.join(dir, 'index.html');
  return { dir, file, html: readFileSync(file, 'utf8') };
}

/** A static file server for one directory, as any static host would serve it. */
export async function serveDirectory(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.md': 'text/markdown; charset=utf-8' };
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(dir + path.sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const pageUrl = (page: GeneratedPage, served: { url: string } | null): string =>
  served ? served.url : pathToFileURL(page.file).href;

/** Fake keys for the page tests: the one module every test takes keys from. */
export { fakeKey } from './fake-keys.js';

/** Everything a page run reported that a test must check: console lines, page errors, CSP violations. */
export interface PageWatch {
  console: string[];
  violations: string[];
  errors: string[];
}

/**
 * A new context and page that record console output, uncaught errors and every CSP violation (the
 * `securitypolicyviolation` event, and Chromium's own "Refused to ..." console lines).
 */
export async function openWatchedPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext();
  // Everything here is local and fast: fail in seconds, not Playwright's default 30.
  context.setDefaultTimeout(5_000);
  const watch: PageWatch = { console: [], violations: [], errors: [] };
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => console.error(`[csp-violation] ${event.violatedDirective} ${event.blockedURI}`),
      true,
    );
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    const text = message.text();
    watch.console.push(text);
    if (text.includes('[csp-violation]') || /Content Security Policy/i.test(text)) watch.violations.push(text);
  });
  page.on('pageerror', (error) => watch.errors.push(String(error.stack ?? error)));
  return { context, page, watch };
}

/** The header a provider's key must travel in, and nowhere else. */
export const AUTH_HEADER: Record<ProviderId, string> = {
  anthropic: 'x-api-key',
  openai: 'authorization',
  google: 'x-goog-api-key',
  mistral: 'authorization',
  groq: 'authorization',
  openrouter: 'authorization',
  xai: 'authorization',
  deepseek: 'authorization',
};

/** Where each request of the fake carried `key`: header names, or 'path', 'query', 'body'. */
export function keyPlaces(requests: readonly RecordedRequest[], key: string): string[] {
  const places = new Set<string>();
  for (const request of requests) {
    if (request.path.includes(key) || decodeURIComponent(request.path).includes(key)) places.add('path');
    if (request.query.includes(key) || decodeURIComponent(request.query).includes(key)) places.add('query');
    if (request.body.includes(key)) places.add('body');
    for (const [name, value] of Object.entries(request.headers)) {
      if (String(value).includes(key)) places.add(name);
    }
  }
  return [...places];
}

/** What the page keeps anywhere a key could survive: DOM (with live input values), storages, cookies, IndexedDB. */
export async function pageTraces(page: Page, context: BrowserContext): Promise<string> {
  const inPage = await page.evaluate(async () => {
    const inputs = [...document.querySelectorAll('input, textarea, select')].map(
      (element) => (element as HTMLInputElement).value,
    );
    const storage = (store: Storage) => Object.keys(store).map((name) => `${name}=${store.getItem(name)}`);
    const databases = indexedDB.databases ? (await indexedDB.databases()).map((db) => db.name) : [];
    return JSON.stringify({
      dom: document.documentElement.outerHTML,
      inputs,
      local: storage(localStorage),
      session: storage(sessionStorage),
      cookie: document.cookie,
      databases,
    });
  });
  const cookies = await context.cookies();
  return inPage + JSON.stringify(cookies);
}

/** The storages, cookies and IndexedDB databases the page has, each as a list (all empty after Forget key). */
export async function storedItems(page: Page, context: BrowserContext): Promise<Record<string, string[]>> {
  const inPage = await page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    indexedDB: indexedDB.databases ? (await indexedDB.databases()).map((db) => String(db.name)) : [],
    documentCookie: document.cookie ? [document.cookie] : [],
  }));
  return { ...inPage, cookies: (await context.cookies()).map((cookie) => cookie.name) };
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/**
 * Runs axe-core (WCAG 2.x A/AA and best practices) on the page as it is now and fails with the rules it
 * breaks. axe is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const violations = await page.evaluate(async (source) => {
    if (!(window as unknown as { axe?: unknown }).axe) (0, eval)(source);
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
  }, axeSource);
  if (violations.length) throw new Error(`axe found ${violations.length} violation(s):\n${violations.join('\n')}`);
}
