/**
 * The provider catalog's shape. Every template reads providers through this one description, so adding a
 * provider is one data file (see ./anthropic.ts) plus its entry in ./index.ts and its test.
 */

/** The three wire formats every supported provider speaks. Templates implement each once. */
export type ApiFamily = 'anthropic' | 'openai' | 'google';

/** What a key check's answer means. Only `invalid` means "wrong key". */
export type KeyCheckOutcome = 'valid' | 'invalid' | 'forbidden' | 'rate-limited' | 'unreachable';

/** A rule that maps a key-check answer to an outcome; the first matching rule wins. */
export interface KeyCheckRule {
  status: number;
  /** The body must contain this text (Google answers 400 for several reasons; only API_KEY_INVALID means a bad key). */
  bodyIncludes?: string;
  outcome: Exclude<KeyCheckOutcome, 'valid' | 'unreachable'>;
}

export interface ProviderDefinition {
  /** Lower-case id used in flags, routes (`/<id>/...`), env names (`UPSTREAM_<ID>_URL`) and generated code. */
  id: string;
  label: string;
  /** Official origin: scheme + host. `--base-url` replaces it; request paths are appended unchanged. */
  origin: string;
  family: ApiFamily;
  auth: {
    /** Lower-case header name the key travels in. Never a query parameter. */
    header: 'authorization' | 'x-api-key' | 'x-goog-api-key';
    /** `Bearer` when the header value is `Bearer KEY`. */
    scheme?: 'Bearer';
    /** Other headers a proxy must accept the key in, as official SDKs send them. */
    alsoAccepted?: Array<{ header: 'authorization' | 'x-api-key'; scheme?: 'Bearer' }>;
  };
  /** Headers every call needs besides the key (e.g. `anthropic-version`). */
  headers: Record<string, string>;
  keyCheck: {
    method: 'GET';
    /** Full path under the origin. Free: no tokens are spent. */
    path: string;
    /** Rules for non-2xx answers; any other non-2xx is `unreachable` (the provider, not the key, is the problem). */
    rules: KeyCheckRule[];
  };
  /** Where the models a key can use are listed, and how to read them. */
  models: {
    default: string;
    path: string;
    /** Property holding the array in the answer (`data` or `models`). */
    listField: string;
    /** Property of each entry holding the id (`id` or `name`). */
    idField: string;
    /** Prefix to strip from ids (Google lists `models/gemini-...`). */
    stripPrefix?: string;
    /** True when `path` is the key check itself, so one call validates and lists. */
    sameAsKeyCheck: boolean;
  };
  chat: {
    /** Full path; `{model}` is replaced by the model id where the provider puts it in the path. */
    path: string;
    /** Streaming path when it differs from `path`. */
    streamPath?: string;
  };
  /**
   * Paths (under the origin) a proxy forwards, GET and POST only; `*` matches one path segment, and a final
   * `/**` one or more (a resource and everything under it: `/v1/files/**` is `/v1/files/{id}` and
   * `/v1/files/{id}/content`). Anything else is 404. Each provider's file says what is left out, and why.
   */
  proxyPaths: string[];
  /**
   * Paths a proxy also forwards DELETE to (same syntax): what a key's owner stored through the proxy and may
   * want gone (a stored response, an uploaded file). Empty for most providers.
   */
  proxyDeletePaths: string[];
  /**
   * Request headers a proxy forwards besides the one carrying the key (lower-case; a final `*` is a prefix):
   * what the official SDKs send and the API reads. Everything else (client addresses, cookies, method or URL
   * overrides) stays with the proxy.
   */
  proxyHeaders: string[];
  /**
   * A shape keys of this provider usually have: a last net for redaction, never the only one (some providers'
   * keys have no recognisable shape, others collide). `null` when there is none.
   */
  keyPattern: string | null;
  /** Placeholder shown in key fields: the visible prefix only. */
  keyPlaceholder: string;
  browser: {
    /** Can a web page call the API directly (CORS)? `unverified` where nobody has confirmed it. */
    cors: 'allowed' | 'unverified';
    /** Headers a browser call must add (Anthropic's direct-browser-access opt-in). */
    headers: Record<string, string>;
    /** Shown when a browser call fails at the network level. */
    failureHint: string;
  };
  links: {
    keys: string;
    terms: string;
    privacy: string;
    /** Where the account owner sets a spending limit or budget (prepaid providers: where credit is topped up). */
    limits: string;
  };
}
