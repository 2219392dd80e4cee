/**
 * Reading `INGOT_*` environment values: unset or empty means "use the default".
 *
 * `envBool` takes 1/true/yes/on (any case) as true and anything else as false.
 * (`config/config.ts` keeps its own oslo-style reader, which also takes `t`/`y` and
 * reads an empty number as 0; the two were not merged, to keep both behaviours.)
 */
export function envBool(v: string | undefined, d: boolean): boolean {
  if (v === undefined || v === '') return d;
  return ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}

export function envNum(v: string | undefined, d: number): number {
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) ? n : d;
}
