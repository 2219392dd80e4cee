/**
 * A consistent hash ring over conductor host names, built as Ironic's (tooz's) ring so
 * that the same hosts and node UUIDs map the same way:
 *
 * - each host gets `partitions` points; the points of a host are the successive digests
 *   of one running hash seeded with the host name and fed it again once per point
 *   (digest of hh, of hhh, of hhhh, ...);
 * - a key (a node UUID) lands on the first point strictly above its own digest, wrapping
 *   to the lowest point; that point's host owns it;
 * - with `replicas` > 1 the walk continues clockwise until that many distinct hosts are
 *   found.
 *
 * Removing a host only moves the keys that host owned; adding one only takes keys from
 * others. Digests are compared as fixed-width hex strings (same order as the numbers).
 */
import { createHash, getHashes } from 'node:crypto';

export class HashRing {
  /** Sorted points (hex digests) and the host at each. */
  private readonly points: string[] = [];
  private readonly owners: string[] = [];
  readonly hosts: ReadonlySet<string>;

  constructor(hosts: Iterable<string>, readonly partitions = 32, readonly algorithm = 'md5') {
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`hash ring: partitions must be a positive integer, got ${partitions}`);
    if (!getHashes().includes(algorithm)) throw new Error(`hash ring: unknown hash algorithm "${algorithm}"`);
    this.hosts = new Set(hosts);
    const byPoint = new Map<string, string>();
    for (const host of [...this.hosts].sort()) {
      const running = createHash(algorithm).update(host, 'utf8');
      for (let i = 0; i < partitions; i++) {
        running.update(host, 'utf8');
        byPoint.set(running.copy().digest('hex'), host);
      }
    }
    for (const p of [...byPoint.keys()].sort()) { this.points.push(p); this.owners.push(byPoint.get(p)!); }
  }

  /** Index of the first point above the key's digest (wrapping). */
  private partitionOf(key: string): number {
    const h = createHash(this.algorithm).update(key, 'utf8').digest('hex');
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! <= h) lo = mid + 1; else hi = mid;
    }
    return lo < this.points.length ? lo : 0;
  }

  /** The `replicas` hosts that own `key`, primary first. Empty for an empty ring. */
  hostsFor(key: string, replicas = 1): string[] {
    if (this.points.length === 0) return [];
    const want = Math.min(replicas, this.hosts.size);
    const out: string[] = [];
    let p = this.partitionOf(key);
    while (out.length < want) {
      const h = this.owners[p]!;
      if (!out.includes(h)) out.push(h);
      p = p + 1 < this.points.length ? p + 1 : 0;
    }
    return out;
  }

  /** The primary owner of `key`, or null for an empty ring. */
  hostFor(key: string): string | null {
    return this.hostsFor(key, 1)[0] ?? null;
  }
}
