/**
 * A real WordPress for the end-to-end tests, driven from vitest: starts test/support/wordpress-rig.sh in a fresh
 * temporary directory on a free port, and offers what the tests do with it (plugins, SQL, logins, forms).
 * Install it once per test file (beforeAll) and reuse it: an install costs about five seconds.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunnerTask, RunnerTestFile, RunnerTestSuite } from 'vitest';
import { repoRoot } from './cli.js';

const run = promisify(execFile);
const RIG_SCRIPT = path.join(repoRoot, 'test', 'support', 'wordpress-rig.sh');
const PLUGIN_HELPER = path.join(repoRoot, 'test', 'wordpress', 'rig', 'plugin.php');
const RIG_PREFIX = 'byok-wp-';

export const USERS = {
  admin: { login: 'admin', password: 'adminpass' },
  editor: { login: 'editor', password: 'editorpass' },
  author: { login: 'author', password: 'authorpass' },
  contributor: { login: 'contributor', password: 'contributorpass' },
  subscriber: { login: 'subscriber', password: 'subscriberpass' },
} as const;

export interface WordPressCore {
  /** The version as the tests name it. */
  version: '6.1' | '7.1';
  /** The tree the rig copies. */
  dir: string;
}

/**
 * The WordPress versions every end-to-end suite runs on: Debian 12's package (6.1) and Debian's current one (7.1,
 * with Connectors and the AI Client), which .ci/install-rigs.sh unpacks beside it. WP7_CORE moves the latter.
 */
export const WORDPRESS_CORES: readonly WordPressCore[] = [
  { version: '6.1', dir: '/usr/share/wordpress' },
  { version: '7.1', dir: process.env.WP7_CORE ?? '/usr/share/wordpress-7' },
];

/** A port nobody listens on right now (the rig retries if another process takes it first). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops and removes rigs whose test process died without its afterAll (a crash, a killed worker). Each rig records
 * its owner's pid; only rigs of dead owners are touched, through their own pid files.
 */
async function sweepAbandonedRigs(): Promise<void> {
  for (const entry of readdirSync(os.tmpdir())) {
    if (!entry.startsWith(RIG_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), entry);
    const ownerFile = path.join(dir, 'owner.pid');
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8'));
    if (!Number.isInteger(owner) || isAlive(owner)) continue;
    // Only a rig that stopped is removed: its pid files are the only way to find its processes.
    const stopped = await run('bash', [RIG_SCRIPT, 'stop', dir]).then(() => true, () => false);
    if (stopped) rmSync(dir, { recursive: true, force: true });
  }
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The Location header, resolved against the site, for redirects. */
  location?: string;
}

/** A browser-like client for one user: keeps cookies, never follows redirects by itself. */
export class WpSession {
  private readonly cookies = new Map<string, string>();

  constructor(readonly siteUrl: string) {}

  async request(
    pathOrUrl: string,
    options: { method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResult> {
    const url = new URL(pathOrUrl, this.siteUrl);
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(url, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) this.storeCookie(cookie);
    const location = response.headers.get('location');
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: location ? new URL(location, url).toString() : undefined,
    };
  }

  /** Follows redirects (GET), as a browser does after a form POST. */
  async follow(result: HttpResult): Promise<HttpResult> {
    let current = result;
    for (let hops = 0; current.location && current.status >= 300 && current.status < 400; hops++) {
      if (hops > 5) throw new Error('too many redirects');
      current = await this.request(current.location);
    }
    return current;
  }

  /** Logs in through wp-login.php; throws when WordPress shows the form again. */
  async login(user: { login: string; password: string }): Promise<this> {
    this.cookies.clear();
    await this.request('/wp-login.php'); // sets wordpress_test_cookie, which the POST must carry
    const result = await this.request('/wp-login.php', {
      form: { log: user.login, pwd: user.password, 'wp-submit': 'Log In', redirect_to: '/wp-admin/', testcookie: '1' },
    });
    if (result.status !== 302) throw new Error(`login as ${user.login} failed (HTTP ${result.status})`);
    return this;
  }

  /** The REST nonce (X-WP-Nonce) for this user, as wp.apiFetch gets it. */
  async restNonce(): Promise<string> {
    const result = await this.request('/wp-admin/admin-ajax.php?action=rest-nonce');
    if (result.status !== 200 || !/^[0-9a-f]{10}$/.test(result.text)) {
      throw new Error(`no REST nonce (HTTP ${result.status}): ${result.text.slice(0, 200)}`);
    }
    return result.text;
  }

  private storeCookie(header: string): void {
    const [pair, ...attributes] = header.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expires = attributes.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
    const expired = expires !== undefined && Date.parse(expires.slice(8)) < Date.now();
    if (expired || value === '' || value === 'deleted') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

/** Minimal HTML entity decoding for attribute values WordPress prints. */
export function decodeEntities(value: string): string {
  return value
    .replace(/&#0*39;|&#x0*27;/gi, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The hidden fields (nonce, referer, option page...) of the first form whose action contains `action`. */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const form = forms.find((match) => (/action=["']([^"']*)["']/.exec(match[1]!)?.[1] ?? '').includes(action));
  if (!form) throw new Error(`no form posting to ${action}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/g)) {
    const attributes: Record<string, string> = {};
    for (const attribute of input[1]!.matchAll(/([\w-]+)=(?:"([^"]*)"|'([^']*)')/g)) {
      attributes[attribute[1]!] = decodeEntities(attribute[2] ?? attribute[3] ?? '');
    }
    if (attributes.type === 'hidden' && attributes.name) fields[attributes.name] = attributes.value ?? '';
  }
  return fields;
}

export class WordPressRig {
  private constructor(
    readonly dir: string,
    readonly url: string,
    readonly socket: string,
  ) {}

  /** Installs and serves a fresh WordPress (Debian's 6.1 unless a core is given). Stop it in afterAll. */
  static async start(core?: WordPressCore): Promise<WordPressRig> {
    await sweepAbandonedRigs();
    const dir = mkdtempSync(path.join(os.tmpdir(), RIG_PREFIX));
    writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        const { stdout } = await run('bash', [RIG_SCRIPT, 'start', dir, String(port)], {
          timeout: 120_000,
          env: core ? { ...process.env, WP_CORE: core.dir } : process.env,
        });
        const { url, socket } = JSON.parse(stdout.trim().split('\n').pop()!) as { url: string; socket: string };
        return new WordPressRig(dir, url, socket);
      } catch (error) {
        const failure = error as { code?: number; stderr?: string };
        if (failure.code === 3 && attempt < 5) continue; // the port was taken meanwhile
        await run('bash', [RIG_SCRIPT, 'stop', dir]).catch(() => undefined);
        throw new Error(`WordPress rig failed to start: ${failure.stderr ?? String(error)}`);
      }
    }
  }

  get wpDir(): string {
    return path.join(this.dir, 'wp');
  }

  get pluginsDir(): string {
    return path.join(this.wpDir, 'wp-content', 'plugins');
  }

  get debugLogPath(): string {
    return path.join(this.wpDir, 'wp-content', 'debug.log');
  }

  /** Everything WordPress logged so far (PHP notices, warnings, the plugin's error_log lines). */
  debugLog(): string {
    return existsSync(this.debugLogPath) ? readFileSync(this.debugLogPath, 'utf8') : '';
  }

  /** The PHP built-in server's own log (one line per request). */
  serverLog(): string {
    const file = path.join(this.dir, 'php-server.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /**
   * Stops the rig and removes its folder. Pass the suite from afterAll: when one of its tests failed, the rig's
   * logs (PHP's server log, a line per request with its time; MariaDB's; WordPress's debug.log) are kept first,
   * in a folder named on stderr, since a rig's failure (a request that hangs, a query that stalls) is often only
   * explained there.
   */
  async stop(suite?: Readonly<RunnerTestSuite | RunnerTestFile>): Promise<void> {
    await run('bash', [RIG_SCRIPT, 'stop', this.dir]).catch(() => undefined);
    if (suite && hasFailure(suite)) {
      const kept = mkdtempSync(path.join(os.tmpdir(), 'byok-wp-logs-'));
      for (const file of ['php-server.log', path.join('db', 'err.log'), path.join('wp', 'wp-content', 'debug.log')]) {
        const from = path.join(this.dir, file);
        if (existsSync(from)) cpSync(from, path.join(kept, path.basename(file)));
      }
      process.stderr.write(`WordPress rig logs of "${suite.name}", where a test failed: ${kept}\n`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Copies a plugin folder into wp-content/plugins. */
  installPlugin(sourceDir: string): void {
    cpSync(sourceDir, path.join(this.pluginsDir, path.basename(sourceDir)), { recursive: true });
  }

  /** activate | deactivate | uninstall (uninstall.php, then the folder is deleted), as the Plugins screen does. */
  async plugin(action: 'activate' | 'deactivate' | 'uninstall', pluginFile: string): Promise<string> {
    const { stdout } = await run('php', [PLUGIN_HELPER, this.wpDir, action, pluginFile], { timeout: 60_000 });
    return stdout;
  }

  /** A must-use plugin (loaded before every plugin): how the tests set filters and constants. */
  writeMuPlugin(name: string, code: string): void {
    writeFileSync(path.join(this.wpDir, 'wp-content', 'mu-plugins', `${name}.php`), code);
  }

  removeMuPlugin(name: string): void {
    rmSync(path.join(this.wpDir, 'wp-content', 'mu-plugins', `${name}.php`), { force: true });
  }

  /** Runs PHP inside the site (wp-load.php loaded first, as on a request); resolves with what it printed. */
  async php(code: string): Promise<string> {
    const boot = `$_SERVER['HTTP_HOST'] = 'localhost'; $_SERVER['REQUEST_URI'] = '/'; require ${JSON.stringify(path.join(this.wpDir, 'wp-load.php'))};`;
    const { stdout } = await run('php', ['-r', `${boot}\n${code}`], { timeout: 60_000 });
    return stdout;
  }

  /** Runs SQL in the site's database as root through the private socket; tab-separated rows, no header. */
  async sql(query: string): Promise<string> {
    const { stdout } = await run('mariadb', ['--socket', this.socket, '-uroot', '-N', '-B', '-r', 'wp', '-e', query]);
    return stdout;
  }

  /** A full dump of every database, as a backup would hold it. */
  async dump(): Promise<string> {
    const { stdout } = await run('mariadb-dump', ['--socket', this.socket, '-uroot', '--all-databases'], {
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  }

  /** Replaces the value of a wp-config.php secret (e.g. LOGGED_IN_SALT), as a site owner rotating salts does. */
  setSecret(name: string, value: string): void {
    const file = path.join(this.wpDir, 'wp-config.php');
    const config = readFileSync(file, 'utf8');
    const pattern = new RegExp(`define\\( '${name}', '[^']*' \\);`);
    if (!pattern.test(config)) throw new Error(`${name} not found in wp-config.php`);
    writeFileSync(file, config.replace(pattern, `define( '${name}', '${value}' );`));
  }

  session(): WpSession {
    return new WpSession(this.url);
  }
}

/** Runs `php -l` on a file; resolves with PHP's output, rejects on a syntax error. */
export async function phpLint(file: string): Promise<string> {
  const { stdout } = await run('php', ['-l', file]);
  return stdout;
}

/** Spawns a command and collects its output and exit code (never rejects). */
export function spawnCollect(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Whether a test of the suite, at any depth, failed. */
function hasFailure(task: Readonly<RunnerTask>): boolean {
  if (task.result?.state === 'fail') return true;
  return 'tasks' in task && task.tasks.some(hasFailure);
}
