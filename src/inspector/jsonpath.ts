/**
 * The JSONPath subset ironic-inspector rules use for `field` (jsonpath-rw): dotted names,
 * `[n]` indexes, `[*]` / `*` wildcards, an optional leading `$.`. Returns every match.
 */
type Seg = { key: string } | { index: number } | { any: true };

export function parsePath(path: string): Seg[] {
  let p = path.trim();
  if (p.startsWith('$')) p = p.slice(1).replace(/^\./, '');
  if (!p) throw new Error('empty path');
  const segs: Seg[] = [];
  const re = /\s*(?:\.?([A-Za-z0-9_\-]+|\*)|\[(\d+|\*)\]|\.?'([^']*)'|\.?"([^"]*)")/y;
  let i = 0;
  while (i < p.length) {
    re.lastIndex = i;
    const m = re.exec(p);
    if (!m || m[0].length === 0) throw new Error(`Parse error at ${i} near token ${p.slice(i, i + 1)}`);
    if (m[1] !== undefined) segs.push(m[1] === '*' ? { any: true } : { key: m[1] });
    else if (m[2] !== undefined) segs.push(m[2] === '*' ? { any: true } : { index: Number(m[2]) });
    else segs.push({ key: m[3] ?? m[4] ?? '' });
    i = re.lastIndex;
  }
  return segs;
}

export function findAll(root: unknown, path: string): unknown[] {
  let cur: unknown[] = [root];
  for (const s of parsePath(path)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('any' in s) {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if ('index' in s) {
        if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
      } else if (v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, s.key)) {
        next.push((v as Record<string, unknown>)[s.key]);
      } else if (Array.isArray(v) && /^\d+$/.test(s.key) && Number(s.key) < v.length) {
        next.push(v[Number(s.key)]);
      }
    }
    cur = next;
  }
  return cur;
}
