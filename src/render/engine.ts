import type HandlebarsNamespace from 'handlebars';
import {
  commentText,
  htmlAttribute,
  htmlText,
  identifier,
  json,
  jsLiteral,
  jsString,
  markdownText,
  phpLiteral,
  phpString,
} from './escape.js';

type HandlebarsEnv = typeof HandlebarsNamespace;

/**
 * The escaping helpers templates must use for every value (a test refuses bare `{{value}}`), registered on a
 * Handlebars environment: the full one (templates compiled from disk, in development and tests) or the runtime
 * one (templates precompiled into the published bundle).
 */
export function registerHelpers(engine: HandlebarsEnv): void {
  const helpers: Record<string, (value: never, indent: unknown) => string> = {
    js: (value: string) => jsString(String(value)),
    json: (value: unknown, indent) => json(value, typeof indent === 'number' ? indent : 0),
    jsLiteral: (value: unknown, indent) => jsLiteral(value, typeof indent === 'number' ? indent : 0),
    php: (value: string) => phpString(String(value)),
    phpLiteral: (value: unknown, indent) => phpLiteral(value, typeof indent === 'number' ? indent : 0),
    html: (value: string) => htmlText(String(value)),
    attr: (value: string) => htmlAttribute(String(value)),
    comment: (value: string) => commentText(String(value)),
    md: (value: string) => markdownText(String(value)),
    id: (value: string) => identifier(String(value)),
    /** Text known to be safe where it lands (catalog data such as URLs, paths and model ids in prose). */
    raw: (value: unknown) => String(value),
    upper: (value: string) => String(value).toUpperCase(),
  };
  for (const [name, helper] of Object.entries(helpers)) {
    // Handlebars appends its own options object as the last argument: never a value.
    engine.registerHelper(name, (...args: unknown[]) => {
      const values = args.slice(0, -1) as [never, unknown];
      return new engine.SafeString(helper(...values));
    });
  }
  engine.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  engine.registerHelper('not', (a: unknown) => !a);
  engine.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  engine.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
}
