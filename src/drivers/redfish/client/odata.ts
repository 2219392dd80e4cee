/**
 * Helpers over raw Redfish JSON: links, paths, actions, `@Redfish.AllowableValues`, and
 * tolerant field readers. Pure functions, no I/O.
 *
 * Path contract (HPE iLO quirk): links are FOLLOWED exactly as the BMC wrote them (case and
 * trailing slash kept, since some BMCs only answer to their own spelling), but COMPARED with
 * `samePath`, which ignores case, trailing slashes and the scheme/host part.
 */

/** A parsed JSON object as received; vendor and OEM fields stay reachable here. */
export type JsonObject = Record<string, unknown>;

export function isObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The object at `obj[key]` or undefined (never throws on wrong shapes). */
export function obj(o: unknown, key: string): JsonObject | undefined {
  if (!isObject(o)) return undefined;
  const v = o[key];
  return isObject(v) ? v : undefined;
}

export function str(o: unknown, key: string): string | undefined {
  if (!isObject(o)) return undefined;
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(o: unknown, key: string): number | undefined {
  if (!isObject(o)) return undefined;
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(o: unknown, key: string): boolean | undefined {
  if (!isObject(o)) return undefined;
  const v = o[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** Array of strings at `obj[key]`; non-string entries are dropped. */
export function strList(o: unknown, key: string): string[] | undefined {
  if (!isObject(o)) return undefined;
  const v = o[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** `Status.State` / `Status.Health`, the usual Redfish status block. */
export function status(o: unknown): { state: string | undefined; health: string | undefined } {
  const s = obj(o, 'Status');
  return { state: str(s, 'State'), health: str(s, 'Health') };
}

/** The `@odata.id` of a resource (or of a link object). */
export function odataId(o: unknown): string | undefined {
  return str(o, '@odata.id');
}

/** The `@odata.id` of the link at `o[key]` (`{"Bios": {"@odata.id": ...}}`), if any. */
export function link(o: unknown, key: string): string | undefined {
  return odataId(obj(o, key));
}

/** The `@odata.id`s of a link array at `o[key]` (e.g. `Links.ManagedBy`, `Drives`). */
export function links(o: unknown, key: string): string[] {
  if (!isObject(o)) return [];
  const v = o[key];
  if (!Array.isArray(v)) return [];
  return v.map(odataId).filter((x): x is string => typeof x === 'string');
}

/** Path part of a URI: strips scheme/host, query and fragment. */
export function pathOf(uri: string): string {
  let p = uri;
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(p);
  if (m) p = p.slice(m[0].length) || '/';
  p = p.split('#')[0]!.split('?')[0]!;
  return p;
}

/**
 * Canonical form for COMPARISON only: lower case, no trailing slash (except "/"),
 * duplicate slashes collapsed. Never send the result on the wire.
 */
export function normalizePath(uri: string): string {
  let p = pathOf(uri).replace(/\/{2,}/g, '/').toLowerCase();
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** Whether two URIs name the same Redfish resource (case-insensitive, trailing-slash-insensitive). */
export function samePath(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return normalizePath(a) === normalizePath(b);
}

/** Last path segment ("/redfish/v1/Systems/1/" -> "1"). */
export function lastSegment(uri: string): string {
  const p = pathOf(uri).replace(/\/+$/, '');
  return decodeURIComponent(p.slice(p.lastIndexOf('/') + 1));
}

/** Removes duplicate URIs (by `samePath`), keeping the first spelling seen. */
export function uniquePaths(uris: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const u of uris) {
    const k = normalizePath(u);
    if (!seen.has(k)) { seen.add(k); out.push(u); }
  }
  return out;
}

/**
 * `@Redfish.AllowableValues` of property `prop` inside `o`, e.g.
 * `allowableValues(system.Boot, 'BootSourceOverrideTarget')`. Undefined when the BMC does not say
 * (which means "unknown", not "nothing allowed").
 */
export function allowableValues(o: unknown, prop: string): string[] | undefined {
  return strList(o, `${prop}@Redfish.AllowableValues`);
}

/**
 * Throws via `fail` when `value` is not allowed. Unknown allowable values (undefined) accept
 * everything: many BMCs do not advertise them. Comparison is exact first, then case-insensitive;
 * the returned value is the BMC's own spelling.
 */
export function checkAllowed(value: string, allowed: readonly string[] | undefined,
  fail: (allowed: readonly string[]) => never): string {
  if (allowed === undefined) return value;
  if (allowed.includes(value)) return value;
  const ci = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (ci !== undefined) return ci;
  return fail(allowed);
}

/** An entry of `Actions`: `target`, optional ActionInfo URI, and the action object itself. */
export interface ActionRef {
  name: string;
  target: string;
  actionInfo?: string;
  raw: JsonObject;
}

/**
 * Finds a standard action by name ("#ComputerSystem.Reset" or "ComputerSystem.Reset").
 * Looks only at `Actions`, never at `Actions.Oem`, so OEM actions cannot be picked by accident.
 */
export function findAction(resource: unknown, name: string): ActionRef | undefined {
  const actions = obj(resource, 'Actions');
  if (!actions) return undefined;
  const key = name.startsWith('#') ? name : `#${name}`;
  let raw = obj(actions, key);
  if (!raw) {
    // Tolerate odd capitalisation of the action key.
    const k = Object.keys(actions).find((x) => x.toLowerCase() === key.toLowerCase());
    raw = k ? obj(actions, k) : undefined;
  }
  const target = str(raw, 'target');
  if (!raw || !target) return undefined;
  return { name: key, target, actionInfo: str(raw, '@Redfish.ActionInfo'), raw };
}

/** AllowableValues of one parameter of an ActionInfo resource. */
export function actionInfoAllowableValues(actionInfo: unknown, parameter: string): string[] | undefined {
  const params = isObject(actionInfo) ? actionInfo['Parameters'] : undefined;
  if (!Array.isArray(params)) return undefined;
  const p = params.find((x) => str(x, 'Name') === parameter);
  return strList(p, 'AllowableValues');
}

/**
 * `@Redfish.Settings` block: where pending values are PATCHed, with its apply times.
 * Returns undefined when the resource has no separate settings object.
 */
export interface SettingsInfo {
  settingsUri: string | undefined;
  etag: string | undefined;
  supportedApplyTimes: string[] | undefined;
  time: string | undefined;
  messages: unknown[];
}

export function parseSettings(resource: unknown): SettingsInfo | undefined {
  const s = obj(resource, '@Redfish.Settings');
  if (!s) return undefined;
  const messages = Array.isArray(s['Messages']) ? s['Messages'] as unknown[] : [];
  return {
    settingsUri: link(s, 'SettingsObject'),
    etag: str(s, 'ETag'),
    supportedApplyTimes: strList(s, 'SupportedApplyTimes'),
    time: str(s, 'Time'),
    messages,
  };
}

/** Lower-case colon-separated MAC ("AA-BB-.." or "aabb.." -> "aa:bb:.."); undefined if not a MAC. */
export function normalizeMac(mac: string | undefined): string | undefined {
  if (!mac) return undefined;
  const hex = mac.replace(/[^0-9a-f]/gi, '').toLowerCase();
  if (hex.length !== 12) return undefined;
  return hex.match(/../g)!.join(':');
}
