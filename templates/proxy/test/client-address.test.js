import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketAddress, clientAddress } from '../src/client-address.js';

const request = (remoteAddress, forwardedFor) => ({
  socket: { remoteAddress },
  headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
});

describe('clientAddress', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY says so', () => {
    assert.equal(clientAddress(request('192.0.2.1', '203.0.113.7'), 0), '192.0.2.1');
  });

  it('takes the address N hops back with TRUST_PROXY=N, not what the client wrote', () => {
    const req = request('10.0.0.2', 'spoofed, 203.0.113.7, 10.0.0.1');
    assert.equal(clientAddress(req, 1), '10.0.0.1');
    assert.equal(clientAddress(req, 2), '203.0.113.7');
  });

  it('reads addresses with a port, and gives an entry that is not an address a bucket of its own', () => {
    assert.equal(clientAddress(request('10.0.0.2', '203.0.113.7:5678'), 1), '203.0.113.7');
    assert.equal(clientAddress(request('10.0.0.2', '[2001:db8:1:2::9]:443'), 1), '2001:db8:1:2::/64');
    // Not the balancer's address (10.0.0.2), which every client behind it shares.
    assert.equal(clientAddress(request('10.0.0.2', 'unknown'), 1), 'unparsed:unknown');
    assert.notEqual(clientAddress(request('10.0.0.2', '_hidden1'), 1), clientAddress(request('10.0.0.2', '_hidden2'), 1));
  });
});

describe('bucketAddress', () => {
  it('groups IPv6 by /64 and unwraps IPv4-mapped addresses', () => {
    assert.equal(bucketAddress('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(bucketAddress('2001:db8:1:2:bbbb::9'), '2001:db8:1:2::/64');
    assert.equal(bucketAddress('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(bucketAddress('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(bucketAddress('192.0.2.1'), '192.0.2.1');
  });
});
