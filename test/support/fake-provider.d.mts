// Types of fake-provider.mjs for TypeScript callers (the .mjs carries the same types as JSDoc).

export type ProviderId = 'anthropic' | 'openai' | 'google' | 'mistral' | 'groq' | 'openrouter' | 'xai' | 'deepseek';

/** valid: answers normally; forbidden: 403 in the provider's shape; rate-limited: 429 with retry-after. */
export type KeyStatus = 'valid' | 'forbidden' | 'rate-limited';

export interface KeyOptions {
  status?: KeyStatus;
  /** The models the key lists and may use. Without it: DEFAULT_MODELS listed, any model name accepted. */
  models?: string[];
  /** The providers that know the key. Without it: all of them. */
  providers?: ProviderId[];
}

export interface RecordedRequest {
  /** The id prefix of the path ('' or an unknown word for a request outside any provider). */
  provider: string;
  method: string;
  /** The raw path without the id prefix, e.g. '/v1/models'. */
  path: string;
  /** The raw query string without '?', e.g. 'alt=sse'. A Gemini key sent as ?key= shows here. */
  query: string;
  /** Lower-case header names, as node parsed them. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as UTF-8 text (at most MAX_BODY_BYTES of it). */
  body: string;
  /** Date.now() when the request was fully read. */
  time: number;
}

export interface ResponseOverride {
  /**
   * With `body`: sent as is. Without `body`: a status >= 400 answers with the provider's own error shape for that
   * status (401 -> invalid key, 403, 404, 429 with retry-after, 5xx, 529 overloaded...); a lower one is ignored.
   */
  status?: number;
  /** A string is sent as is (text/plain), anything else as JSON. */
  body?: unknown;
  /** Added to, and winning over, the headers the fake would send. */
  headers?: Record<string, string>;
  /**
   * Put the full key the client sent into the error body, as some upstreams do (for leak tests). With `body`,
   * every '{{key}}' in it (and in `headers`) is replaced by the key; '{{key:json-unicode}}', '{{key:percent}}',
   * '{{key:base64}}'... by the key spelled that way (see spellKeys).
   */
  echoKey?: boolean;
  /** Answer a redirect (`status`, default 307) to this URL, with an empty body. */
  redirectTo?: string;
  /** Wait this long before answering; alone, the normal answer follows. */
  delayMs?: number;
  /** Never answer: the request stays open until the client gives up or close(). */
  hang?: boolean;
  /**
   * Answer a chat call with a stream, in the provider's format, carrying the key the client sent in these forms
   * (true: all of them), cut into 5-character pieces so that each form spans several writes.
   */
  echoKeyInStream?: true | KeyEchoForm[];
}

/** The forms an upstream could echo a key in (see keyEchoForms). */
export type KeyEchoForm = 'raw' | 'json' | 'json-unicode' | 'url' | 'base64';

export interface FakeProvider {
  /** e.g. 'http://127.0.0.1:PORT' */
  readonly url: string;
  /** 'http://127.0.0.1:PORT/<id>': what a test passes as `--base-url <id>=...`; the provider's real paths go under it. */
  baseUrl(id: ProviderId): string;
  /** Every request received (preflights included), in order. reset() empties this same array. */
  readonly requests: RecordedRequest[];
  /** Makes a key known; every other key is invalid. */
  addKey(key: string, options?: KeyOptions): void;
  removeKey(key: string): void;
  /** Clears recorded requests and pending overrides; keys and the stream delay stay. */
  reset(): void;
  /** A one-shot answer for the next non-preflight request to `provider`; several calls queue up. */
  nextResponse(provider: ProviderId, override: ResponseOverride): void;
  /** Milliseconds between the writes of a stream (one write per text piece); default 0. */
  setStreamDelay(ms: number): void;
  /** Stops listening and destroys open connections, hanging requests included. */
  close(): Promise<void>;
}

export declare const PROVIDER_IDS: readonly ProviderId[];
export declare const DEFAULT_MODELS: Record<ProviderId, string[]>;
export declare const MAX_BODY_BYTES: number;

/** The deterministic answer of every chat call: `Hello from fake <id>: <last user message text>`. */
export declare function fakeAnswer(provider: string, userText: string): string;
/** How answers are cut into stream pieces: each word with the whitespace before it. */
export declare function splitIntoChunks(text: string): string[];

export declare const KEY_ECHO_FORMS: readonly KeyEchoForm[];
/** `key` as is, JSON-escaped (short escapes), as \\u00XX and %XX (hex digits in mixed case), base64 of `user:` + key. */
export declare function keyEchoForms(key: string): Record<KeyEchoForm, string>;
/** The text of a key-echoing answer: `Echo: raw <...>, json <...>, ...`. */
export declare function keyEchoText(key: string, forms?: readonly KeyEchoForm[]): string;

export declare function startFakeProvider(options?: { port?: number; host?: string }): Promise<FakeProvider>;

/** Every '{{key}}' and '{{key:<spelling>}}' in `text` replaced by the key, spelled that way (hostile upstream modes). */
export declare function spellKeys(text: string, key: string): string;
