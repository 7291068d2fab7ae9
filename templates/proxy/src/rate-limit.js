// Rate limiting: a token bucket per key, and one per client address for requests that may be someone trying
// keys (no key, or a key this process has not yet seen the provider accept).
//
// A bucket holds up to `burst` tokens and refills continuously at `perMinute` tokens a minute; a request
// takes one token or is refused with 429. Buckets are named by the key's HMAC fingerprint ("key:<hex>") or
// by the client address ("ip:<address>"), never by the key itself.
//
// Where buckets live is a store, an object with two methods:
//   take(bucketId, policy) -> Decision, or a Promise of one
//       refill the bucket for the time elapsed, then take one token if there is one, atomically; a bucket
//       seen for the first time starts full. A store that cannot decide (its server is down) throws
//       StoreUnavailableError, and the proxy answers 503.
//   close() -> void, or a Promise
// MemoryStore below keeps buckets in this process. Several replicas behind a load balancer need a shared store
// (Redis), or each would allow the full rate.

/** @typedef {{ name: string, perMinute: number, burst: number }} Policy */
/**
 * @typedef {object} Decision
 * @property {Policy} policy             the policy that decided
 * @property {boolean} allowed
 * @property {number} remaining          whole tokens left after this request
 * @property {number} resetSeconds       until the bucket is full again
 * @property {number} retryAfterSeconds  until the next token, when refused (0 when allowed)
 */
/**
 * @typedef {object} RateLimitStore
 * @property {(bucketId: string, policy: Policy) => Decision | Promise<Decision>} take
 * @property {() => void | Promise<void>} close
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

/** Thrown by a store that cannot decide; the proxy answers 503 rather than guess. */
export class StoreUnavailableError extends Error {
  code = 'RATE_LIMIT_STORE_UNAVAILABLE';
}

/**
 * A Map that keeps its entries in order of last `set` and never holds more than `max` of them: when full, the
 * least recently set entry makes room. Memory is bounded whatever the traffic (a flood of a million
 * distinct keys or addresses costs the same as `max` of them).
 * @template V
 */
export class RecentMap {
  #entries = /** @type {Map<string, V>} */ (new Map());
  /** Walks from the oldest entry; kept between evictions so that each one is O(1). */
  #oldest = this.#entries.keys();

  constructor(/** @type {number} */ max) {
    this.max = max;
  }

  get size() {
    return this.#entries.size;
  }

  get(/** @type {string} */ id) {
    return this.#entries.get(id);
  }

  has(/** @type {string} */ id) {
    return this.#entries.has(id);
  }

  /** Stores the value as the most recently used entry. */
  set(/** @type {string} */ id, /** @type {V} */ value) {
    if (!this.#entries.delete(id) && this.#entries.size >= this.max) this.#evictOldest();
    this.#entries.set(id, value);
  }

  delete(/** @type {string} */ id) {
    return this.#entries.delete(id);
  }

  /** Entries from the least to the most recently used (deleting while iterating is fine). */
  entries() {
    return this.#entries.entries();
  }

  clear() {
    this.#entries.clear();
  }

  #evictOldest() {
    // Entries before the cursor were all evicted, and a used entry moves to the end: the cursor's next
    // entry is the oldest. A fresh cursor is made once it has walked everything.
    let next = this.#oldest.next();
    if (next.done) {
      this.#oldest = this.#entries.keys();
      next = this.#oldest.next();
    }
    if (!next.done) this.#entries.delete(next.value);
  }
}

/** Buckets in this process's memory: exact under any concurrency (one thread), bounded in size. */
export class MemoryStore {
  /** @type {RecentMap<{ tokens: number, updatedAt: number }>} */
  #buckets;
  #now;
  #longestRefillMs = 0;
  #sweeper;

  /**
   * @param {{ maxBuckets?: number, sweepIntervalMs?: number, now?: () => number }} [options]
   */
  constructor({ maxBuckets = 100_000, sweepIntervalMs = 60_000, now = Date.now } = {}) {
    this.#buckets = new RecentMap(maxBuckets);
    this.#now = now;
    this.#sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.#sweeper.unref();
  }

  get size() {
    return this.#buckets.size;
  }

  /** @type {RateLimitStore['take']} */
  take(bucketId, policy) {
    const now = this.#now();
    this.#longestRefillMs = Math.max(this.#longestRefillMs, (policy.burst / policy.perMinute) * 60_000);
    const { state, decision } = takeToken(this.#buckets.get(bucketId), policy, now);
    this.#buckets.set(bucketId, state);
    return decision;
  }

  /**
   * Forgets idle buckets. A bucket untouched for longer than it takes to refill is full, and a full bucket is
   * the same as no bucket: dropping it changes nothing for its owner. Buckets are ordered by last use, so
   * the walk stops at the first one used more recently than that.
   */
  sweep() {
    const idleSince = this.#now() - this.#longestRefillMs;
    for (const [id, bucket] of this.#buckets.entries()) {
      if (bucket.updatedAt > idleSince) break;
      this.#buckets.delete(id);
    }
  }

  close() {
    clearInterval(this.#sweeper);
    this.#buckets.clear();
  }
}

/**
 * The proxy's limiter: decides, before anything is forwarded, whether a request may go on.
 *
 * A key the provider has accepted recently (in this process) is limited by its own bucket only. Any other
 * request (no key, or a key not yet seen to work) also takes a token from its client address's bucket, so
 * one client cannot try keys faster than IP_RATE_LIMIT_PER_MINUTE, however many distinct keys it sends.
 * @param {{ store: RateLimitStore, key: Policy, ip: Policy, maxKnownKeys?: number }} options
 */
export function createLimiter({ store, key, ip, maxKnownKeys = 100_000 }) {
  /** Fingerprints of keys the provider accepted recently. */
  const knownKeys = new RecentMap(maxKnownKeys);
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
    close: () => store.close(),
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
  const headers = {
    'ratelimit-policy': `"${policy.name}";q=${policy.burst};w=${windowSeconds}`,
    ratelimit: `"${policy.name}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.retryAfterSeconds);
  return headers;
}
