import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MemoryStore, RecentMap, createLimiter, rateLimitHeaders, takeToken } from '../src/rate-limit.js';

const policy = { name: 'key', perMinute: 60, burst: 3 };

// The garbage collector on demand, to compare heap sizes (as `node --expose-gc` would give it).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

describe('token bucket', () => {
  it('allows a burst, then one request per refill interval', () => {
    let bucket;
    const at = (now) => {
      const { state, decision } = takeToken(bucket, policy, now);
      bucket = state;
      return decision;
    };
    assert.deepEqual([at(0), at(0), at(0)].map((d) => d.allowed), [true, true, true]);
    const refused = at(0);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterSeconds, 1);
    assert.equal(at(500).allowed, false, 'half a token is not a token');
    assert.equal(at(1000).allowed, true);
    assert.equal(at(1000).allowed, false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const { decision } = takeToken({ tokens: 0, updatedAt: 0 }, policy, 3_600_000);
    assert.equal(decision.remaining, 2);
    assert.equal(decision.resetSeconds, 1);
  });
});

describe('MemoryStore', () => {
  it('keeps at most maxBuckets buckets, whatever the number of distinct ids', () => {
    const store = new MemoryStore({ maxBuckets: 1000 });
    for (let i = 0; i < 50_000; i += 1) store.take(`key:${i}`, policy);
    assert.ok(store.size <= 1000 && store.size > 500, `${store.size} buckets`);
    store.close();
  });

  it('drops buckets that have refilled, and only those', () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    store.take('key:old', policy);
    now = 10_000;
    store.take('key:recent', policy);
    store.take('key:recent', policy);
    now = 10_500;
    store.sweep();
    assert.equal(store.size, 1);
    // The recent bucket kept its state (1.5 tokens now): a fresh one would have 2 left after this request.
    assert.equal(store.take('key:recent', policy).remaining, 0);
    store.close();
  });
});

describe('RecentMap', () => {
  it('evicts the least recently set entry', () => {
    const map = new RecentMap(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3);
    map.set('c', 4);
    assert.deepEqual([...map.entries()], [['a', 3], ['c', 4]]);
  });

  it('keeps an entry set in every generation, and never more than max entries', () => {
    const map = new RecentMap(100);
    for (let i = 0; i < 10_000; i += 1) {
      map.set('busy', i);
      map.set(`once-${i}`, i);
      assert.ok(map.size <= 100);
    }
    assert.equal(map.get('busy'), 9_999);
    assert.equal(map.has('once-0'), false);
  });

  it('does not grow the heap when the same entries are set again and again', () => {
    // A Map kept in order of use (a delete and a set each time) with a cursor over its oldest entries held
    // every table V8 rebuilt: about 150 bytes each time, without bound.
    const map = new RecentMap(100);
    const setMany = () => {
      for (let i = 0; i < 200_000; i += 1) map.set(`key:${i % 3}`, { tokens: i, updatedAt: i });
    };
    setMany();
    gc();
    const before = process.memoryUsage().heapUsed;
    setMany();
    setMany();
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 8_000_000, `the heap grew by ${Math.round(grown / 1e6)} MB`);
  });
});

describe('limiter', () => {
  const ip = { name: 'ip', perMinute: 60, burst: 2 };

  it('counts unproven keys against their address, proven ones only against themselves', async () => {
    const limiter = createLimiter({ store: new MemoryStore(), key: policy, ip });
    assert.equal((await limiter.admit({ fingerprint: 'a', address: '192.0.2.1' })).allowed, true);
    assert.equal((await limiter.admit({ fingerprint: 'b', address: '192.0.2.1' })).allowed, true);
    const third = await limiter.admit({ fingerprint: 'c', address: '192.0.2.1' });
    assert.equal(third.allowed, false);
    assert.equal(third.policy.name, 'ip');

    limiter.trustKey('a');
    assert.equal((await limiter.admit({ fingerprint: 'a', address: '192.0.2.1' })).allowed, true);
    limiter.distrustKey('a');
    assert.equal((await limiter.admit({ fingerprint: 'a', address: '192.0.2.1' })).allowed, false);
    await limiter.close();
  });

  it('limits requests without a key by address', async () => {
    const limiter = createLimiter({ store: new MemoryStore(), key: policy, ip });
    const decisions = [];
    for (let i = 0; i < 3; i += 1) decisions.push(await limiter.admit({ address: '192.0.2.2' }));
    assert.deepEqual(decisions.map((d) => d.allowed), [true, true, false]);
    await limiter.close();
  });
});

describe('rateLimitHeaders', () => {
  it('spells the IETF fields, and Retry-After when refused', () => {
    const allowed = rateLimitHeaders({ policy, allowed: true, remaining: 2, resetSeconds: 1, retryAfterSeconds: 0 });
    assert.deepEqual(allowed, { 'ratelimit-policy': '"key";q=3;w=3', ratelimit: '"key";r=2;t=1' });
    const refused = rateLimitHeaders({ policy, allowed: false, remaining: 0, resetSeconds: 3, retryAfterSeconds: 1 });
    assert.equal(refused['retry-after'], '1');
  });
});
