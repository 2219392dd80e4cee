import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { HashRing } from './hash-ring.ts';

const uuids = (n: number) => Array.from({ length: n }, (_, i) => `${i.toString(16).padStart(8, '0')}-1111-4222-8333-444455556666`);

test('every key has one owner among the hosts, and each host gets a share', () => {
  const ring = new HashRing(['c1', 'c2', 'c3'], 32);
  const counts = new Map<string, number>();
  for (const k of uuids(3000)) {
    const h = ring.hostFor(k)!;
    assert.ok(['c1', 'c2', 'c3'].includes(h));
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  for (const h of ['c1', 'c2', 'c3']) assert.ok((counts.get(h) ?? 0) > 300, `c${h} owns ${counts.get(h)} of 3000`);
});

test('removing a host moves only the keys it owned; the order hosts are given in does not matter', () => {
  const before = new HashRing(['c1', 'c2', 'c3'], 32);
  const after = new HashRing(['c3', 'c1'], 32);
  assert.deepEqual(uuids(200).map((k) => new HashRing(['c3', 'c2', 'c1'], 32).hostFor(k)), uuids(200).map((k) => before.hostFor(k)));
  let moved = 0;
  for (const k of uuids(2000)) {
    const a = before.hostFor(k);
    const b = after.hostFor(k);
    if (a === 'c2') { moved++; assert.notEqual(b, 'c2'); } else assert.equal(b, a, `key ${k} moved from ${a} to ${b}`);
  }
  assert.ok(moved > 0);
});

test('replicas are distinct hosts, primary first; an empty ring owns nothing', () => {
  const ring = new HashRing(['a', 'b', 'c'], 8);
  for (const k of uuids(50)) {
    const r = ring.hostsFor(k, 2);
    assert.equal(new Set(r).size, 2);
    assert.equal(r[0], ring.hostFor(k));
  }
  assert.equal(ring.hostsFor('x', 5).length, 3);
  assert.equal(new HashRing([], 32).hostFor('x'), null);
  assert.throws(() => new HashRing(['a'], 0), /partitions must be a positive integer/);
  assert.throws(() => new HashRing(['a'], 4, 'nope'), /unknown hash algorithm "nope"/);
});

test("maps keys as Ironic's ring does (tooz HashRing, Debian python3-tooz), for several host sets and algorithms", () => {
  const cases = [
    { hosts: ['c1', 'c2', 'c3'], partitions: 32, algo: 'md5' },
    { hosts: ['conductor-a.example.com', 'conductor-b.example.com'], partitions: 32, algo: 'md5' },
    { hosts: ['h1', 'h2', 'h3', 'h4', 'h5'], partitions: 4, algo: 'sha256' },
  ];
  const keys = uuids(300);
  const py = `
import json, sys
try:
    from tooz import hashring
except ImportError:
    print("MISSING"); sys.exit(0)
cases, keys = json.load(sys.stdin)
out = []
for c in cases:
    r = hashring.HashRing(c["hosts"], partitions=c["partitions"], hash_function=c["algo"])
    out.append([[sorted(r.get_nodes(k.encode()))[0], sorted(r.get_nodes(k.encode(), replicas=2))] for k in keys])
print(json.dumps(out))
`;
  const res = spawnSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify([cases, keys]), encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  assert.notEqual(res.stdout.trim(), 'MISSING', 'python3-tooz is not installed (apt-get install python3-tooz; scripts/lib/deps.sh lists it)');
  const expected = JSON.parse(res.stdout) as [string, string[]][][];
  cases.forEach((c, i) => {
    const ring = new HashRing(c.hosts, c.partitions, c.algo);
    keys.forEach((k, j) => {
      assert.equal(ring.hostFor(k), expected[i]![j]![0], `${c.algo} ${c.hosts.join(',')} key ${k}`);
      assert.deepEqual([...ring.hostsFor(k, 2)].sort(), expected[i]![j]![1]);
    });
  });
});
