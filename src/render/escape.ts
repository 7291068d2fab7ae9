/**
 * Escaping for each context a value can land in. Handlebars' default escaping is for HTML text only, which is
 * wrong inside JavaScript, PHP or JSON; templates call one of these helpers for every value instead (a test
 * refuses bare `{{value}}` in templates).
 */

const LINE_SEPARATORS = /[\u2028\u2029]/g;

/**
 * Makes JSON-escaped text safe inside an inline `<script>` too: `<` and `>` become `\u003c` / `\u003e` (so
 * `</script>` and `<!--` cannot close or confuse the element), and U+2028/2029 are escaped (line terminators in
 * older JavaScript).
 */
function scriptSafe(text: string): string {
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(LINE_SEPARATORS, (char) => `\\u${char.charCodeAt(0).toString(16)}`);
}

/** A JavaScript string literal (double-quoted), safe inside an inline `<script>` too. */
export function jsString(value: string): string {
  return scriptSafe(JSON.stringify(value));
}

/** A JSON value (pretty when `indent` > 0), also safe inside an inline `<script>`. */
export function json(value: unknown, indent = 0): string {
  return scriptSafe(JSON.stringify(value, null, indent));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A readable JavaScript literal: unquoted keys where they are identifiers, single-quoted strings, one property
 * per line. For data rendered into generated code (provider tables), which users read and edit.
 */
export function jsLiteral(value: unknown, indent = 0, step = 2): string {
  const pad = ' '.repeat(indent + step);
  const close = ' '.repeat(indent);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return jsSingleQuoted(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => jsLiteral(item, indent + step, step));
    const inline = `[${items.join(', ')}]`;
    if (!inline.includes('\n') && indent + inline.length <= 100) return inline;
    return `[\n${items.map((item) => `${pad}${item},`).join('\n')}\n${close}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  const properties = entries.map(([key, item]) => {
    const name = IDENTIFIER.test(key) ? key : jsSingleQuoted(key);
    return `${name}: ${jsLiteral(item, indent + step, step)}`;
  });
  // Small flat objects stay on one line (`{ status: 401, outcome: 'invalid' }`), as a person would write them.
  const inline = `{ ${properties.join(', ')} }`;
  if (!inline.includes('\n') && indent + inline.length <= 100) return inline;
  return `{\n${properties.map((property) => `${pad}${property},`).join('\n')}\n${close}}`;
}

/** A single-quoted JavaScript string (the style of the generated code), safe in an inline `<script>`. */
export function jsSingleQuoted(value: string): string {
  const body = scriptSafe(JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'"));
  return `'${body}'`;
}

/** A PHP single-quoted string literal: only `\` and `'` are special there. */
export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A readable PHP array literal (short syntax), for catalog data rendered into PHP. */
export function phpLiteral(value: unknown, indent = 0, step = 4): string {
  const pad = ' '.repeat(indent + step);
  const close = ' '.repeat(indent);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return phpString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'array()';
    const items = value.map((item) => phpLiteral(item, indent + step, step));
    const inline = `array( ${items.join(', ')} )`;
    if (!inline.includes('\n') && indent + inline.length <= 100) return inline;
    return `array(\n${items.map((item) => `${pad}${item},`).join('\n')}\n${close})`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return 'array()';
  const values = entries.map(([key, item]) => [phpString(key), phpLiteral(item, indent + step, step)] as const);
  // Small flat arrays stay on one line, as WordPress code is written.
  const inline = `array( ${values.map(([key, item]) => `${key} => ${item}`).join(', ')} )`;
  if (!inline.includes('\n') && indent + inline.length <= 100) return inline;
  const width = Math.max(...values.map(([key]) => key.length));
  return `array(\n${values.map(([key, item]) => `${pad}${key.padEnd(width)} => ${item},`).join('\n')}\n${close})`;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** HTML text content. */
export function htmlText(value: string): string {
  return value.replace(/[&<>]/g, (char) => HTML_ESCAPES[char]!);
}

/** An HTML attribute value, for use inside double quotes. */
export function htmlAttribute(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => HTML_ESCAPES[char]!);
}

/**
 * One line of prose for a comment or a header (a PHP plugin header, a code comment, a Markdown heading): line
 * breaks folded to spaces and the sequences that would end the comment (`* /`, `?>`, `-->`) broken up. Used only
 * where the host format cannot hold the text as typed; strings shown to users go through the string helpers.
 */
export function commentText(value: string): string {
  return value
    .replace(/\s+/g, ' ')
    .replace(/\*\//g, '* /')
    .replace(/\?>/g, '? >')
    .replace(/-->/g, '-- >')
    .replace(/<!--/g, '<! --')
    .replace(/<\/script/gi, '<\\/script')
    .trim();
}

/** Markdown inline text: one line, with Markdown and HTML punctuation escaped so it shows as typed. */
export function markdownText(value: string): string {
  return value
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/[\\`*_[\]|~]/g, (char) => `\\${char}`)
    .replace(/^([#>+-])/, '\\$1');
}

/** Letters, digits, `_` and `-` only. A slug may start with a digit (`2048-helper`); derived code prefixes never do. */
const SAFE_IDENTIFIER = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** An identifier, slug or prefix: never escaped, only checked, so a bad derivation fails loudly at render time. */
export function identifier(value: string): string {
  if (!SAFE_IDENTIFIER.test(value)) throw new Error(`Not a safe identifier for generated code: ${JSON.stringify(value)}`);
  return value;
}
