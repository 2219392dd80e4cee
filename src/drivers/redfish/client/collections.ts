/**
 * Resource collections: `Members` links (followed one by one), `Members@odata.nextLink` paging
 * (also the older `@odata.nextLink` spelling), and expanded members ($expand or BMCs that inline
 * them). Tolerant by default: a member link that 404s is skipped with a warning, because real
 * BMCs list resources that are gone (hot-removed parts, stale captures).
 */
import type { RedfishClient } from './client.ts';
import { RedfishError, RedfishProtocolError } from './errors.ts';
import { isObject, normalizePath, odataId, str, type JsonObject } from './odata.ts';

/** Upper bound on pages followed, against BMCs whose nextLink loops. */
const MAX_PAGES = 1000;

export interface CollectionPage {
  members: JsonObject[];
  count: number | undefined;
  next: string | undefined;
}

function parsePage(body: JsonObject): CollectionPage {
  const raw = body['Members'];
  const members = Array.isArray(raw) ? raw.filter(isObject) : [];
  const count = typeof body['Members@odata.count'] === 'number' ? body['Members@odata.count'] as number : undefined;
  const next = str(body, 'Members@odata.nextLink') ?? str(body, '@odata.nextLink');
  return { members, count, next };
}

/** All raw member entries (links or expanded objects) of a collection, across pages. */
export async function listMemberEntries(client: RedfishClient, collectionUri: string): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  const seen = new Set<string>();
  let uri: string | undefined = collectionUri;
  for (let page = 0; uri !== undefined; page++) {
    if (page >= MAX_PAGES || seen.has(uri)) {
      throw new RedfishProtocolError(`Collection ${collectionUri} pages loop or exceed ${MAX_PAGES} pages`, { url: uri });
    }
    seen.add(uri);
    const p = parsePage(await client.get(uri));
    out.push(...p.members);
    uri = p.next;
  }
  return out;
}

/** Member URIs of a collection, in BMC order, duplicates (by case-insensitive path) removed. */
export async function listMemberUris(client: RedfishClient, collectionUri: string): Promise<string[]> {
  const entries = await listMemberEntries(client, collectionUri);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of entries) {
    const id = odataId(e);
    if (!id) continue;
    const key = normalizePath(id);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(id);
  }
  return out;
}

/** An entry is expanded when it carries the resource itself, not just `@odata.id`. */
function isExpanded(entry: JsonObject): boolean {
  return Object.keys(entry).some((k) => k !== '@odata.id' && !k.startsWith('@odata.'));
}

export interface GetMembersOptions {
  /** Skip members that answer 404 (default true); false makes them throw. */
  skipMissing?: boolean;
  /** How many member GETs run at once (default 4; BMCs are slow and easily overloaded). */
  concurrency?: number;
}

/** Fetches every member resource of a collection (expanded members are used as given). */
export async function getMembers(client: RedfishClient, collectionUri: string,
  opts: GetMembersOptions = {}): Promise<JsonObject[]> {
  const entries = await listMemberEntries(client, collectionUri);
  const skipMissing = opts.skipMissing ?? true;
  const results: (JsonObject | undefined)[] = new Array(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const i = next++;
      const entry = entries[i]!;
      const id = odataId(entry);
      if (isExpanded(entry) || !id) { results[i] = isExpanded(entry) ? entry : undefined; continue; }
      try {
        results[i] = await client.get(id);
      } catch (e) {
        if (skipMissing && e instanceof RedfishError && e.status === 404) {
          client.log.warn({ collection: collectionUri, member: id }, 'Redfish collection member not found; skipped');
          continue;
        }
        throw e;
      }
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? 4, entries.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results.filter((x): x is JsonObject => x !== undefined);
}

/** Fetches an optional linked resource: undefined when the link is absent or answers 404. */
export async function getOptional(client: RedfishClient, uri: string | undefined): Promise<JsonObject | undefined> {
  if (!uri) return undefined;
  try {
    return await client.get(uri);
  } catch (e) {
    if (e instanceof RedfishError && e.status === 404) return undefined;
    throw e;
  }
}

/** Members of an optional collection: [] when the link is absent or the collection is 404. */
export async function getOptionalMembers(client: RedfishClient, collectionUri: string | undefined,
  opts: GetMembersOptions = {}): Promise<JsonObject[]> {
  if (!collectionUri) return [];
  try {
    return await getMembers(client, collectionUri, opts);
  } catch (e) {
    if (e instanceof RedfishError && e.status === 404) return [];
    throw e;
  }
}
