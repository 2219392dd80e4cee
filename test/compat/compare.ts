/**
 * Comparison of one answer from the real Ironic (the peer) with Ingot's answer to the
 * same request, after normalizing what legitimately differs between two servers:
 *
 * - UUIDs are paired: the first time a peer UUID meets an Ingot UUID at the same place
 *   they are bound to one symbol, and from then on each may only meet its partner
 *   (so "the port's node_uuid is the node we created" is still checked);
 * - timestamps in Ironic's format (`2024-01-01T00:00:00[.ffffff]+00:00`) become `<ts>`;
 *   other date-like strings become `<ts:other>` so a format difference still shows;
 * - each server's base URL becomes `<base>`;
 * - lists of interface names (`*_interfaces`, `hosts`) are compared as sets;
 * - error bodies: the JSON string inside `error_message` is parsed and compared field by field.
 * Request ids are compared by presence only.
 */

export interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

export interface Diff { path: string; peer: unknown; ingot: unknown }

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TS_RE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?/g;
const IRONIC_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?\+00:00$/;
const UNORDERED_KEY = /(_interfaces|^hosts)$/;

/** The comparison headers: exact value, or presence only. */
const EXACT_HEADERS = ['location', 'allow', 'x-openstack-ironic-api-minimum-version', 'x-openstack-ironic-api-maximum-version', 'x-openstack-ironic-api-version'];
const PRESENCE_HEADERS = ['openstack-request-id'];

export class Comparator {
  private readonly peerSym = new Map<string, string>();
  private readonly ingotSym = new Map<string, string>();
  private next = 1;

  constructor(private readonly peerBase: string, private readonly ingotBase: string) {}

  /** Differences between the two answers (empty when they match). */
  compare(peer: Answer, ingot: Answer): Diff[] {
    const diffs: Diff[] = [];
    if (peer.status !== ingot.status) diffs.push({ path: 'status', peer: peer.status, ingot: ingot.status });
    for (const h of EXACT_HEADERS) {
      const p = peer.headers[h];
      const i = ingot.headers[h];
      if (p === undefined || i === undefined) {
        if (p !== i) diffs.push({ path: `headers.${h}`, peer: p ?? null, ingot: i ?? null });
      } else {
        this.value(`headers.${h}`, p, i, diffs, '');
      }
    }
    for (const h of PRESENCE_HEADERS) {
      if ((peer.headers[h] === undefined) !== (ingot.headers[h] === undefined)) {
        diffs.push({ path: `headers.${h}`, peer: peer.headers[h] !== undefined, ingot: ingot.headers[h] !== undefined });
      }
    }
    const pb = parseBody(peer.text);
    const ib = parseBody(ingot.text);
    if (pb.json && ib.json) this.value('body', pb.value, ib.value, diffs, '');
    else if (pb.json !== ib.json || peer.text.trim() !== ingot.text.trim()) {
      diffs.push({ path: 'body', peer: clip(peer.text), ingot: clip(ingot.text) });
    }
    return diffs;
  }

  private value(path: string, p: unknown, i: unknown, diffs: Diff[], key: string): void {
    if (typeof p === 'string' && typeof i === 'string') {
      const [np, ni] = this.strings(p, i);
      if (np !== ni) diffs.push({ path, peer: clip(np), ingot: clip(ni) });
      return;
    }
    if (Array.isArray(p) && Array.isArray(i)) {
      let pa = p;
      let ia = i;
      if (UNORDERED_KEY.test(key) && p.every((x) => typeof x === 'string') && i.every((x) => typeof x === 'string')) {
        pa = [...p].sort();
        ia = [...i].sort();
      }
      if (pa.length !== ia.length) {
        diffs.push({ path: `${path}.length`, peer: pa.length, ingot: ia.length });
      }
      const n = Math.min(pa.length, ia.length);
      for (let k = 0; k < n; k++) this.value(`${path}[${k}]`, pa[k], ia[k], diffs, key);
      return;
    }
    if (isObject(p) && isObject(i)) {
      for (const k of Object.keys(p)) if (!(k in i)) diffs.push({ path: `${path}.${k}`, peer: clipValue(p[k]), ingot: '<missing>' });
      for (const k of Object.keys(i)) if (!(k in p)) diffs.push({ path: `${path}.${k}`, peer: '<missing>', ingot: clipValue(i[k]) });
      for (const k of Object.keys(p)) if (k in i) this.value(`${path}.${k}`, p[k], i[k], diffs, k);
      return;
    }
    if (!Object.is(p, i)) diffs.push({ path, peer: clipValue(p), ingot: clipValue(i) });
  }

  /** Normalize a pair of strings; UUIDs are bound pairwise when both have the same count. */
  private strings(p: string, i: string): [string, string] {
    let sp = stamp(p.split(this.peerBase).join('<base>'));
    let si = stamp(i.split(this.ingotBase).join('<base>'));
    const up = sp.match(UUID_RE) ?? [];
    const ui = si.match(UUID_RE) ?? [];
    if (up.length === ui.length) {
      for (let k = 0; k < up.length; k++) this.bind(up[k]!.toLowerCase(), ui[k]!.toLowerCase());
    }
    sp = sp.replace(UUID_RE, (u) => this.peerSym.get(u.toLowerCase()) ?? '<uuid?>');
    si = si.replace(UUID_RE, (u) => this.ingotSym.get(u.toLowerCase()) ?? '<uuid?>');
    return [sp, si];
  }

  private bind(p: string, i: string): void {
    const a = this.peerSym.get(p);
    const b = this.ingotSym.get(i);
    if (a === undefined && b === undefined) {
      const sym = `<uuid${this.next++}>`;
      this.peerSym.set(p, sym);
      this.ingotSym.set(i, sym);
    }
  }
}

function stamp(s: string): string {
  return s.replace(TS_RE, (t) => (IRONIC_TS.test(t) ? '<ts>' : '<ts:other>'));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body as JSON, with Ironic's `error_message` string unpacked when it is JSON. */
export function parseBody(text: string): { json: boolean; value: unknown } {
  if (text.trim() === '') return { json: false, value: undefined };
  try {
    const v = JSON.parse(text) as unknown;
    if (isObject(v) && typeof v.error_message === 'string') {
      try {
        return { json: true, value: { ...v, error_message: JSON.parse(v.error_message) as unknown } };
      } catch { /* plain string message */ }
    }
    return { json: true, value: v };
  } catch {
    return { json: false, value: text };
  }
}

/** faultstring (or webob description) of an error body, if any. */
export function faultOf(text: string): string | undefined {
  const b = parseBody(text).value;
  if (!isObject(b) || !isObject(b.error_message)) return undefined;
  const e = b.error_message;
  return (typeof e.faultstring === 'string' ? e.faultstring : typeof e.description === 'string' ? e.description : undefined);
}

function clip(s: string, n = 300): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
function clipValue(v: unknown): unknown {
  if (typeof v === 'string') return clip(v);
  if (typeof v === 'object' && v !== null) {
    const s = JSON.stringify(v);
    return s.length > 300 ? clip(s) : v;
  }
  return v;
}
