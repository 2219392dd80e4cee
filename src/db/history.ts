/** Node history: an append-only log of notable events per node (API: /nodes/{id}/history). */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { isoNow, newUuid } from '../core/ids.ts';

export interface HistoryEntry {
  uuid: string;
  node_id: number;
  conductor: string | null;
  event_type: string | null;
  severity: string | null;
  event: string | null;
  user: string | null;
  created_at: string;
}

export class HistoryRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async record(nodeId: number, e: { conductor?: string | null; eventType: string; severity: 'INFO' | 'WARNING' | 'ERROR'; event: string; user?: string | null }): Promise<void> {
    await this.db.insertInto('node_history').values({
      uuid: newUuid(), node_id: nodeId, conductor: e.conductor ?? null, event_type: e.eventType,
      severity: e.severity, event: e.event, user: e.user ?? null, created_at: isoNow(), updated_at: null,
    }).execute();
  }

  /** Entries oldest first, paged by id after the marker entry. */
  async list(nodeId: number, opts: { limit: number; afterUuid?: string }): Promise<HistoryEntry[]> {
    let q = this.db.selectFrom('node_history').selectAll().where('node_id', '=', nodeId);
    if (opts.afterUuid) {
      const m = await this.db.selectFrom('node_history').select('id').where('uuid', '=', opts.afterUuid).executeTakeFirst();
      if (m) q = q.where('id', '>', m.id);
    }
    q = q.orderBy('id', 'asc');
    if (opts.limit > 0) q = q.limit(opts.limit);
    return (await q.execute()) as HistoryEntry[];
  }

  async get(nodeId: number, uuid: string): Promise<HistoryEntry | undefined> {
    return (await this.db.selectFrom('node_history').selectAll().where('node_id', '=', nodeId).where('uuid', '=', uuid).executeTakeFirst()) as HistoryEntry | undefined;
  }
}
