// Rate limiting: a token bucket per key, and one per client address for requests that may be someone trying
// keys (no key, or a key this Worker has not yet seen the provider accept).
//
// A bucket holds up to `burst` tokens and refills continuously at `perMinute` tokens a minute; a request
// takes one token or is refused with 429. Buckets are named by the key's HMAC fingerprint ("key:<hex>") or
// by the client address ("ip:<address>"), never by the key itself. Where buckets live is decided in
// rate-limit-store.js.

/** @typedef {{ name: string, perMinute: number, burst: number }} Policy */
/**
 * @typedef {object} Decision
 * @property {Policy} policy             the policy that decided
 * @property {boolean} allowed
 * @property {number} [remaining]        whole tokens left after this request (unknown with some stores)
 * @property {number} [resetSeconds]     until the bucket is full again
 * @property {number} retryAfterSeconds  until the next token, when refused (0 when allowed)
 */

/**
 * The token bucket itself, as a pure function: the state of a bucket after one request at `now` (ms), and the
 * decision. A store keeps `{ tokens, updatedAt }` per bucket and applies this atomically.
 * @param {{ tokens: number, updatedAt: number } | undefined} bucket
 * @param {Policy} policy
 * @param {number} now
 */
export function takeToken(bucket, policy, now) {
  const perMs = policy.perMinute / 60_000;
  const elapsed = bucket ? Math.max(0, now - bucket.updatedAt) : 0;
  const available = bucket ? Math.min(policy.burst, bucket.tokens + elapsed * perMs) : policy.burst;
  const allowed = available >= 1;
  const tokens = allowed ? available - 1 : available;
  return { state: { tokens, updatedAt: now }, decision: decide(allowed, tokens, policy) };
}

/**
 * The decision, given whether a token was taken and how many are left (a fraction while refilling).
 * @param {boolean} allowed
 * @param {number} tokens
 * @param {Policy} policy
 * @returns {Decision}
 */
export function decide(allowed, tokens, policy) {
  const perSecond = policy.perMinute / 60;
  return {
    policy,
    allowed,
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((policy.burst - tokens) / perSecond),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perSecond)),
  };
}

/** Thrown by a store that cannot decide; the Worker answers 503 rather than guess. */
export class StoreUnavailableError extends Error {
  code = 'RATE_LIMIT_STORE_UNAVAILABLE';
}

/**
 * A Map that keeps its entries in order of last `set` and never holds more than `max` of them: when full, the
 * least recently set entry makes room.
 * @template V
 */
export class RecentMap {
  #entries = /** @type {Map<string, V>} */ (new Map());

  constructor(/** @type {number} */ max) {
    this.max = max;
  }

  has(/** @type {string} */ id) {
    return this.#entries.has(id);
  }

  set(/** @type {string} */ id, /** @type {V} */ value) {
    if (!this.#entries.delete(id) && this.#entries.size >= this.max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(id, value);
  }

  delete(/** @type {string} */ id) {
    return this.#entries.delete(id);
  }
}

/**
 * Fingerprints of keys the provider accepted recently, in this isolate. An isolate serves many requests but
 * lives only minutes to hours, and each location has its own: a key it has not seen yet simply counts against
 * its address once more, which errs on the strict side.
 */
const knownKeys = new RecentMap(10_000);

/**
 * The Worker's limiter: decides, before anything is forwarded, whether a request may go on.
 *
 * A key the provider has accepted recently is limited by its own bucket only. Any other request (no key, or a
 * key not yet seen to work) also takes a token from its client address's bucket, so one client cannot try
 * keys faster than IP_RATE_LIMIT_PER_MINUTE, however many distinct keys it sends.
 * @param {{ take: (bucketId: string, policy: Policy) => Promise<Decision> }} store
 * @param {{ key: Policy, ip: Policy }} policies
 */
export function createLimiter(store, { key, ip }) {
  return {
    /**
     * @param {{ fingerprint?: string, address: string }} request
     * @returns {Promise<Decision>}
     */
    async admit({ fingerprint, address }) {
      if (!fingerprint || !knownKeys.has(fingerprint)) {
        const byAddress = await store.take(`ip:${address}`, ip);
        if (!byAddress.allowed || !fingerprint) return byAddress;
      }
      return store.take(`key:${fingerprint}`, key);
    },
    /** The provider accepted this key: its next requests no longer count against their address. */
    rememberKey(/** @type {string} */ fingerprint) {
      knownKeys.set(fingerprint, true);
    },
    /** The provider refused this key: its requests count against their address again. */
    forgetKey(/** @type {string} */ fingerprint) {
      knownKeys.delete(fingerprint);
    },
  };
}

/** @typedef {ReturnType<typeof createLimiter>} Limiter */

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for a decision, plus Retry-After
 * when refused. A token bucket reads as "`burst` requests per the time an empty bucket takes to refill".
 * @param {Decision} decision
 */
export function rateLimitHeaders(decision) {
  const { policy } = decision;
  const windowSeconds = Math.ceil((policy.burst / policy.perMinute) * 60);
  /** @type {Record<string, string>} */
  const headers = { 'ratelimit-policy': `"${policy.name}";q=${policy.burst};w=${windowSeconds}` };
  if (decision.remaining !== undefined) {
    headers.ratelimit = `"${policy.name}";r=${decision.remaining};t=${decision.resetSeconds}`;
  }
  if (!decision.allowed) headers['retry-after'] = String(decision.retryAfterSeconds);
  return headers;
}
