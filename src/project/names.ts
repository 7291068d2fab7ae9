import validatePackageName from 'validate-npm-package-name';

/**
 * Names derived from the display name the user typed. The display name itself is kept exactly as typed and
 * shown through an escaping helper for each context; these derived names are safe identifiers by construction.
 */
export interface ProjectNames {
  /** As typed (trimmed): shown in titles and headings. */
  name: string;
  /** A valid npm package name. */
  packageName: string;
  /** Lower-case ASCII, digits and dashes: WordPress plugin slug, text domain, folder and route names. */
  slug: string;
  /** UPPER_SNAKE prefix for PHP constants and environment variables (`ACME_HELPER`). */
  constantPrefix: string;
  /** lower_snake prefix for PHP functions, options, transients and hooks (`acme_helper`). */
  functionPrefix: string;
  /** Upper_Snake prefix for PHP classes (`Acme_Helper`). */
  classPrefix: string;
}

const MAX_SLUG_LENGTH = 48;

/** ASCII words of a name: accents folded, everything else a separator. */
function asciiWords(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function toSlug(name: string, fallback = 'byok-app'): string {
  let slug = '';
  for (const word of asciiWords(name)) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > MAX_SLUG_LENGTH) break;
    slug = next;
  }
  if (!slug) slug = asciiWords(name)[0]?.slice(0, MAX_SLUG_LENGTH) ?? '';
  return slug || fallback;
}

export function toPackageName(name: string): string {
  const trimmed = name.trim();
  if (validatePackageName(trimmed).validForNewPackages) return trimmed;
  return toSlug(trimmed);
}

export function isValidPackageName(name: string): boolean {
  return validatePackageName(name).validForNewPackages;
}

export function deriveNames(rawName: string): ProjectNames {
  const name = rawName.trim();
  const slug = toSlug(name);
  // PHP identifiers cannot start with a digit.
  const snake = /^[0-9]/.test(slug) ? `byok_${slug.replace(/-/g, '_')}` : slug.replace(/-/g, '_');
  return {
    name,
    packageName: toPackageName(name),
    slug,
    constantPrefix: snake.toUpperCase(),
    functionPrefix: snake,
    classPrefix: snake
      .split('_')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('_'),
  };
}

/** Words the WordPress plugin directory refuses at the start of a slug (trademarks). */
const TRADEMARKS = [
  'wordpress', 'wp', 'woocommerce', 'anthropic', 'claude', 'openai', 'chatgpt', 'gpt', 'google', 'gemini',
  'mistral', 'groq', 'openrouter', 'xai', 'grok', 'deepseek',
];

/**
 * A slug the plugin directory would refuse, and a suggestion that keeps the words (`openai-helper` ->
 * `helper-for-openai`), or undefined when the slug is fine.
 */
export function trademarkIssue(slug: string): { trademark: string; suggestion: string } | undefined {
  const words = slug.split('-');
  const first = words[0] ?? '';
  const trademark = TRADEMARKS.find((mark) => first === mark);
  if (!trademark) return undefined;
  const rest = words.slice(1).filter((word) => !TRADEMARKS.includes(word));
  const base = rest.length ? rest.join('-') : 'byok-assistant';
  // "wordpress" may appear nowhere in a slug; a provider's name may follow "for".
  const suggestion = trademark === 'wordpress' || trademark === 'wp' ? base : `${base}-for-${trademark}`;
  return { trademark, suggestion };
}
