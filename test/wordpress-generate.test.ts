/**
 * The generated WordPress plugin as files, without a WordPress: for every provider of the catalog and for hostile
 * names, it parses (`php -l`), follows the WordPress conventions (test/wordpress/lint-plugin.php), carries a valid
 * header and readme with the external-services disclosure, and holds no template noise or dead provider code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../src/providers/index.js';
import { repoRoot } from './support/cli.js';
import type { ProviderId } from './support/fake-provider.mjs';
import { HOSTILE_NAMES } from './support/hostile-names.js';
import { phpLint, spawnCollect } from './support/wordpress-rig.js';
import { generatePlugin, type GeneratedPlugin } from './wordpress/helpers.js';

const LINT = path.join(repoRoot, 'test', 'wordpress', 'lint-plugin.php');

/** Each provider alone, the three families together, and the whole catalog. */
const SELECTIONS: ProviderId[][] = [
  ...PROVIDERS.map((provider) => [provider.id as ProviderId]),
  ['anthropic', 'openai', 'google'],
  PROVIDERS.map((provider) => provider.id as ProviderId),
];

const generated: GeneratedPlugin[] = [];
afterAll(() => generated.forEach((plugin) => plugin.cleanup()));

function read(plugin: GeneratedPlugin, file: string): string {
  return readFileSync(path.join(plugin.dir, file), 'utf8');
}

/** The plugin's display name as PHP sees it: the main file loaded with the few WordPress functions it calls stubbed. */
async function nameSeenByPhp(plugin: GeneratedPlugin): Promise<string> {
  const code = [
    "define( 'ABSPATH', '/' );",
    'function add_action() {}',
    'function register_activation_hook() {}',
    `require ${JSON.stringify(path.join(plugin.dir, `${plugin.slug}.php`))};`,
    `echo ${plugin.functionPrefix}_name();`,
  ].join('\n');
  const result = await spawnCollect('php', ['-r', code]);
  if (result.code !== 0) throw new Error(result.stderr || result.stdout);
  return result.stdout;
}

SELECTIONS.forEach((providers, index) => {
  const name = HOSTILE_NAMES[index % HOSTILE_NAMES.length]!;
  const selected = providers.map((id) => PROVIDERS.find((provider) => provider.id === id)!);

  describe(`wordpress plugin for ${providers.join(', ')}, named ${JSON.stringify(name).slice(0, 40)}`, () => {
    let plugin: GeneratedPlugin;

    it('generates a folder named by the slug, every PHP file passing php -l', async () => {
      plugin = await generatePlugin(name, providers, null);
      generated.push(plugin);
      expect(plugin.phpFiles.map((file) => path.relative(plugin.dir, file)).sort()).toEqual([
        'includes/class-editor-sidebar.php',
        'includes/class-encryption.php',
        'includes/class-key-store.php',
        'includes/class-provider-client.php',
        'includes/class-rate-limiter.php',
        'includes/class-redactor.php',
        'includes/class-rest-controller.php',
        'includes/class-settings-page.php',
        'includes/class-site-health.php',
        'includes/class-usage.php',
        'uninstall.php',
        `${plugin.slug}.php`,
      ].sort());
      for (const file of plugin.phpFiles) expect(await phpLint(file)).toContain('No syntax errors');
    });

    it('follows the WordPress conventions: ABSPATH guard, prefixes, text domain', async () => {
      const result = await spawnCollect('php', [
        LINT, plugin.dir, plugin.slug, plugin.functionPrefix, plugin.classPrefix, plugin.constantPrefix,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { problems: string[]; stats: Record<string, number> };
      expect(report.problems).toEqual([]);
      expect(report.stats.files).toBe(12);
      expect(report.stats.i18n_calls).toBeGreaterThan(25);
    });

    it('has a valid plugin header, and keeps the name exactly as typed', async () => {
      const main = read(plugin, `${plugin.slug}.php`);
      const header = /^<\?php\n\/\*\*\n([\s\S]*?)\n \*\//.exec(main)?.[1] ?? '';
      const field = (label: string) => new RegExp(`^ \\* ${label}:\\s+(.+)$`, 'm').exec(header)?.[1];
      expect(field('Plugin Name')).toBeTruthy();
      expect(field('Plugin Name')).not.toMatch(/\*\/|\?>/);
      expect(field('Requires at least')).toBe('6.1');
      expect(field('Tested up to')).toBe('7.1');
      expect(field('Requires PHP')).toMatch(/^\d+\.\d+$/);
      expect(field('License')).toBe('GPLv2 or later');
      expect(field('Text Domain')).toBe(plugin.slug);
      expect(field('Version')).toBe('0.1.0');
      expect(await nameSeenByPhp(plugin)).toBe(name.trim());
    });

    it('renders the catalog into the client, and only the wire formats in use', () => {
      const client = read(plugin, 'includes/class-provider-client.php');
      for (const provider of selected) {
        expect(client).toContain(`'base_url'          => '${provider.origin}'`);
        expect(client).toContain(`'${plugin.constantPrefix}_${provider.id.toUpperCase()}_BASE_URL'`);
        expect(client).toContain(`'path'  => '${provider.keyCheck.path}'`);
      }
      const families = ['anthropic', 'openai', 'google'].filter((family) => selected.some((p) => p.family === family));
      for (const family of ['anthropic', 'openai', 'google']) {
        const used = families.includes(family);
        expect(client.includes(`private function ${family}_request(`), `${family} request`).toBe(used);
        expect(client.includes(`private function ${family}_text(`), `${family} answer`).toBe(used);
      }
      // A switch on the wire format only where there is a choice: never a switch with one case.
      expect(client.includes("switch ( $provider['family'] )"), 'switch on the wire format').toBe(families.length > 1);
      expect(client.includes('function answer_text('), 'answer_text dispatcher').toBe(families.length > 1);
      const settings = read(plugin, 'includes/class-settings-page.php');
      expect(settings.includes('render_provider_field'), 'provider select').toBe(providers.length > 1);
      // The key field is a password field labelled "API key", and never gets a value.
      expect(settings).toContain("esc_html__( 'API key'");
      expect(settings).toMatch(/<input type="password"[^>]* value=""/);
    });

    it('discloses in readme.txt what is sent to which provider, when, with their terms and privacy links', () => {
      const readme = read(plugin, 'readme.txt');
      expect(readme).toMatch(/^=== .+ ===\n/);
      expect(readme).toContain('Requires at least: 6.1');
      expect(readme).toContain('Tested up to: 7.1');
      expect(readme).toMatch(/^Contributors: .+$/m);
      expect(readme).toContain('= WordPress 7 and Settings > Connectors =');
      expect(readme).toMatch(/When both exist .+ the Connectors key is used/);
      expect(readme).toContain('= Streaming =');
      expect(readme).toContain('Stable tag: 0.1.0');
      expect(readme).toContain('License: GPLv2 or later');
      const shortDescription = readme.split('\n\n')[1]!;
      expect(shortDescription.length).toBeLessThanOrEqual(150);
      const services = readme.slice(readme.indexOf('== External services =='), readme.indexOf('== Installation =='));
      expect(services.length).toBeGreaterThan(100);
      for (const provider of selected) {
        const section = services.slice(services.indexOf(`= ${provider.label} =`));
        expect(section, provider.id).toContain(provider.origin);
        expect(section).toContain(provider.links.terms);
        expect(section).toContain(provider.links.privacy);
        expect(section).toContain(provider.keyCheck.path);
        expect(section).toMatch(/When an administrator saves a new API key/);
        expect(section).toMatch(/Each time an editor sends a prompt/);
      }
    });

    it('has an editor script that parses, with no build step', async () => {
      const script = path.join(plugin.dir, 'assets', 'editor-sidebar.js');
      const checked = await spawnCollect(process.execPath, ['--check', script]);
      expect(checked.code, checked.stderr).toBe(0);
      expect(read(plugin, 'assets/editor-sidebar.js')).not.toMatch(/\bimport\b|\brequire\(/);
    });

    it('holds no template noise', () => {
      for (const file of [...plugin.phpFiles, path.join(plugin.dir, 'readme.txt'), path.join(plugin.dir, 'assets', 'editor-sidebar.js')]) {
        const text = readFileSync(file, 'utf8');
        // Handlebars syntax (a hostile name may itself contain "{{", shown as typed).
        expect(text, file).not.toMatch(/\{\{[#/^>!]|\{\{(?:id|php|raw|comment|md|html|attr|js|json|upper|else)\b/);
        expect(text, file).not.toMatch(/\n\n\n/);
        expect(text, file).not.toMatch(/[ \t]+$/m);
      }
    });
  });
});

describe('wordpress plugin packaging', () => {
  it('zips for upload as the readme says, without byok.json or dotfiles, and .distignore lists the same files', async () => {
    const plugin = await generatePlugin('Zip Helper', ['openai'], null);
    generated.push(plugin);
    // A generated project is a git repository unless --no-git: its .git must not reach the site either.
    expect((await spawnCollect('git', ['init', '--quiet'], { cwd: plugin.dir })).code).toBe(0);
    const readme = read(plugin, 'readme.txt');
    const command = /`(zip -r [^`]+)`/.exec(readme)?.[1];
    expect(command, 'zip command in readme.txt').toBeDefined();
    expect(readme).toContain(`\`wp dist-archive ${plugin.slug}\``);

    const parent = path.dirname(plugin.dir);
    const zipped = await spawnCollect('sh', ['-c', command!], { cwd: parent });
    expect(zipped.code, zipped.stderr).toBe(0);
    const listed = await spawnCollect('unzip', ['-Z1', path.join(parent, `${plugin.slug}.zip`)]);
    expect(listed.code, listed.stderr).toBe(0);
    const entries = listed.stdout.split('\n').filter(Boolean);
    for (const file of [`${plugin.slug}.php`, 'readme.txt', 'uninstall.php', 'includes/class-key-store.php']) {
      expect(entries).toContain(`${plugin.slug}/${file}`);
    }
    expect(entries.filter((entry) => entry.includes('byok.json') || entry.includes('/.'))).toEqual([]);

    // What the zip command leaves out at the top of the folder is what wp dist-archive leaves out.
    const distignore = read(plugin, '.distignore').split('\n').filter((line) => line && !line.startsWith('#'));
    const left = readdirSync(plugin.dir).filter((entry) => !entries.some((e) => e.startsWith(`${plugin.slug}/${entry}`)));
    expect(left.sort()).toEqual(['.distignore', '.git', 'byok.json']);
    for (const entry of left) expect(distignore).toContain(`/${entry}`);
  });
});

describe('wordpress plugin with --base-url', () => {
  it('uses the given base URL as the default, still overridable, and says so in the readme', async () => {
    const plugin = await generatePlugin('Gateway Helper', ['openai'], null, ['--base-url', 'openai=http://127.0.0.1:9/gw/openai']);
    generated.push(plugin);
    const client = readFileSync(path.join(plugin.dir, 'includes/class-provider-client.php'), 'utf8');
    expect(client).toContain("'base_url'          => 'http://127.0.0.1:9/gw/openai'");
    expect(client).toContain("'base_url_constant' => 'GATEWAY_HELPER_OPENAI_BASE_URL'");
    expect(readFileSync(path.join(plugin.dir, 'readme.txt'), 'utf8')).toContain(
      "`http://127.0.0.1:9/gw/openai` (this copy was generated to use that address instead of OpenAI's official `https://api.openai.com`)",
    );
  });
});
