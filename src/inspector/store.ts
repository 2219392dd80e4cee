/**
 * The inspector's tables (migration 003): introspection status per node, stored data,
 * rules and the discovery claims. Plain reads and writes; no node locks here.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { uniqueColumn } from '../db/unique.ts';
import type { Rule } from './rules.ts';

export type InspectorState = 'starting' | 'waiting' | 'processing' | 'finished' | 'error' | 'reapplying' | 'enrolling' | 'aborting';

export interface Status {
  node_uuid: string;
  state: InspectorState;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  manage_boot: boolean;
}

/** ironic-inspector's timestamps: Python isoformat of a naive UTC datetime. */
export function inspectorNow(): string {
  return `${new Date().toISOString().slice(0, 23)}000`;
}

export class InspectorStore {
  constructor(readonly db: Kysely<Database>) {}

  async getStatus(uuid: string): Promise<Status | undefined> {
    const r = await this.db.selectFrom('introspection_status').selectAll().where('node_uuid', '=', uuid).executeTakeFirst();
    return r && { ...r, state: r.state as InspectorState, manage_boot: r.manage_boot === 1 };
  }

  /** Newest first, as GET /v1/introspection lists them (marker = a node UUID). */
  async listStatus(limit: number, marker?: string): Promise<Status[]> {
    let q = this.db.selectFrom('introspection_status').selectAll().orderBy('started_at', 'desc').orderBy('node_uuid', 'desc');
    if (marker) {
      const m = await this.getStatus(marker);
      if (m) q = q.where((eb) => eb.or([eb('started_at', '<', m.started_at), eb.and([eb('started_at', '=', m.started_at), eb('node_uuid', '<', m.node_uuid)])]));
    }
    const rows = await q.limit(limit).execute();
    return rows.map((r) => ({ ...r, state: r.state as InspectorState, manage_boot: r.manage_boot === 1 }));
  }

  /** (Re)start: state `waiting`, no error, a new started_at. */
  async start(uuid: string, manageBoot: boolean, state: InspectorState = 'waiting'): Promise<void> {
    const row = { state, started_at: inspectorNow(), finished_at: null, error: null, manage_boot: manageBoot ? 1 : 0 };
    await this.upsert(uuid, row, { node_uuid: uuid, ...row });
  }

  /**
   * Update the node's status row, or insert it. Two writers may start one node's status at
   * once (the inspector API's start and the inspect interface's notice): the insert that
   * loses the UNIQUE race becomes an update.
   */
  private async upsert(uuid: string, set: Record<string, unknown>, insert: Record<string, unknown>): Promise<void> {
    const update = async () => Number((await this.db.updateTable('introspection_status').set(set).where('node_uuid', '=', uuid).executeTakeFirst()).numUpdatedRows);
    if (await update() > 0) return;
    try {
      await this.db.insertInto('introspection_status').values(insert as never).execute();
    } catch (err) {
      if (await update() === 0) throw err;
    }
  }

  async setState(uuid: string, state: InspectorState): Promise<void> {
    await this.db.updateTable('introspection_status').set({ state }).where('node_uuid', '=', uuid).execute();
  }

  async finish(uuid: string, error: string | null): Promise<void> {
    const set = { state: error ? 'error' : 'finished', finished_at: inspectorNow(), error };
    await this.upsert(uuid, set, { node_uuid: uuid, ...set, started_at: inspectorNow(), manage_boot: 1 });
  }

  async saveData(uuid: string, processed: boolean, data: unknown): Promise<void> {
    const text = JSON.stringify(data);
    const p = processed ? 1 : 0;
    const n = await this.db.updateTable('introspection_data').set({ data: text }).where('node_uuid', '=', uuid).where('processed', '=', p).executeTakeFirst();
    if (Number(n.numUpdatedRows) === 0) await this.db.insertInto('introspection_data').values({ node_uuid: uuid, processed: p, data: text }).execute();
  }

  async getData(uuid: string, processed: boolean): Promise<Record<string, unknown> | undefined> {
    const r = await this.db.selectFrom('introspection_data').select('data').where('node_uuid', '=', uuid).where('processed', '=', processed ? 1 : 0).executeTakeFirst();
    return r ? JSON.parse(r.data) as Record<string, unknown> : undefined;
  }

  // --- rules -------------------------------------------------------------------------------
  /** Throws 'duplicate' when the UUID exists. */
  async createRule(r: Rule): Promise<void> {
    try {
      await this.db.insertInto('introspection_rules').values({
        uuid: r.uuid, description: r.description, scope: r.scope, conditions: JSON.stringify(r.conditions), actions: JSON.stringify(r.actions), created_at: inspectorNow(),
      }).execute();
    } catch (err) {
      if (uniqueColumn(err, 'introspection_rules')) throw new Error('duplicate');
      throw err;
    }
  }
  async listRules(): Promise<Rule[]> {
    const rows = await this.db.selectFrom('introspection_rules').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ uuid: r.uuid, description: r.description, scope: r.scope, conditions: JSON.parse(r.conditions), actions: JSON.parse(r.actions) }));
  }
  async getRule(uuid: string): Promise<Rule | undefined> { return (await this.listRules()).find((r) => r.uuid === uuid); }
  async deleteRule(uuid: string): Promise<boolean> {
    const n = await this.db.deleteFrom('introspection_rules').where('uuid', '=', uuid).executeTakeFirst();
    return Number(n.numDeletedRows) > 0;
  }
  async deleteAllRules(): Promise<void> { await this.db.deleteFrom('introspection_rules').execute(); }

  // --- discovery claims --------------------------------------------------------------------
  /**
   * Claim `key` for a node about to be enrolled. True for exactly one caller per key: the
   * primary key makes concurrent INSERTs (threads, processes, any database) fail but one.
   * A claim whose node no longer exists is dropped and claimed again (once).
   */
  async claim(key: string, nodeUuid: string): Promise<{ won: true } | { won: false; holder: string }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.db.insertInto('discovery_claims').values({ claim_key: key, node_uuid: nodeUuid, created_at: inspectorNow() }).execute();
        return { won: true };
      } catch (err) {
        if (!uniqueColumn(err, 'discovery_claims')) throw err;
        const held = await this.db.selectFrom('discovery_claims').select('node_uuid').where('claim_key', '=', key).executeTakeFirst();
        if (!held) continue;
        const alive = await this.db.selectFrom('nodes').select('id').where('uuid', '=', held.node_uuid).executeTakeFirst();
        const pending = Date.now() - 60_000; // a claim younger than a minute may still be creating its node
        const row = await this.db.selectFrom('discovery_claims').select('created_at').where('claim_key', '=', key).executeTakeFirst();
        if (alive || !row || Date.parse(`${row.created_at}Z`) > pending) return { won: false, holder: held.node_uuid };
        await this.db.deleteFrom('discovery_claims').where('claim_key', '=', key).where('node_uuid', '=', held.node_uuid).execute();
      }
    }
    return { won: false, holder: 'unknown' };
  }
  async releaseClaim(key: string, nodeUuid: string): Promise<void> {
    await this.db.deleteFrom('discovery_claims').where('claim_key', '=', key).where('node_uuid', '=', nodeUuid).execute();
  }
}
