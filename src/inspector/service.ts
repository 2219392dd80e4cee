/**
 * The built-in inspector: what ironic-inspector's conductor does for `/v1/continue`,
 * start, abort and reapply, over the inspector tables and an {@link InspectorHost} (the
 * conductor) that owns node locks, provision states, power and node creation.
 *
 * Continue: (1) the body is checked structurally: anything malformed is a 400 and changes
 * nothing; (2) before_processing hooks; (3) the node is found among the nodes being
 * inspected (inspecting / inspect wait) by the MACs of the report, else by BMC address when
 * exactly one such node has it; (4) not found: with discovery on, the machine is enrolled
 * (once: a DB claim, see InspectorStore.claim), else 404; (5) under the node's lock the
 * before_update hooks and the rules compute the changes, the host writes them and ends the
 * node's inspection (power off, `done`). A processing error ends it as failed, with the
 * message in the status `error` and the node's last_error.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { InspectorStore } from './store.ts';
import {
  DEFAULT_OPTIONS, ProcessingError, bmcAddress, bmcV6Address, runPostHooks, runPreHooks,
  type Data, type NodeFacts, type PortChange, type PortFacts, type ProcessingOptions,
} from './hooks.ts';
import { applyRules } from './rules.ts';
import { filterFromDb, INSPECTING_STATES, type PxeFilterWriter } from './pxe-filter.ts';
import { isValidMac } from './net.ts';
import { newUuid } from '../core/ids.ts';

type Obj = Record<string, unknown>;

/** An error with ironic-inspector's HTTP status. */
export class InspectorError extends Error {
  constructor(message: string, readonly code: number) { super(message); }
}

export interface InspectionWrite {
  /** Node fields (as the API names them) whose values changed. */
  fields: Obj;
  /** The full trait list when rules changed it. */
  traits?: string[];
  ports: Map<string, PortChange>;
  inventory: Obj;
  pluginData: Obj;
}

export interface HostNode { node: Obj; ports: PortFacts[] }

export interface InspectorHost {
  /** Begin in-band inspection of a node (Ironic's `inspect` provision action). */
  startInspection(nodeUuid: string): Promise<void>;
  /** Abort it (Ironic's `abort` from inspect wait). */
  abortInspection(nodeUuid: string): Promise<void>;
  /**
   * Under the node's lock: call `work` with a fresh snapshot, write what it returns, and end
   * the node's inspection: from `inspect wait`/`inspecting`, power the machine off when
   * `powerOff` and apply `done`; in other states (reapply, a node just enrolled) only write.
   * A ProcessingError thrown by `work` (or a write/power failure) fails the inspection
   * (`inspect failed`, last_error "ironic-inspector inspection failed: <message>") and is
   * rethrown.
   */
  completeInspection(nodeUuid: string, work: (n: HostNode) => Promise<InspectionWrite>, opts: { powerOff: boolean }): Promise<void>;
  /** Mark the inspection failed (inspect wait → inspect failed) with `message`. */
  failInspection(nodeUuid: string, message: string): Promise<void>;
  /** Create a node in `enroll` (discovery); returns its UUID. */
  enrollNode(driver: string, fields: Obj): Promise<string>;
}

export interface InspectorOptions {
  processing: ProcessingOptions;
  /** `[processing] node_not_found_hook`: 'enroll' turns discovery on. */
  nodeNotFoundHook: string | null;
  /** `[discovery] enroll_node_driver` (fake-hardware). */
  enrollNodeDriver: string;
  /** `[discovery] enroll_node_fields`. */
  enrollNodeFields: Obj;
  /** `[processing] power_off` (true). */
  powerOff: boolean;
  /** `[api_max_limit]` (1000). */
  apiMaxLimit: number;
}

export const DEFAULT_INSPECTOR_OPTIONS: InspectorOptions = {
  processing: DEFAULT_OPTIONS, nodeNotFoundHook: null, enrollNodeDriver: 'fake-hardware', enrollNodeFields: {}, powerOff: true, apiMaxLimit: 1000,
};

function isObj(v: unknown): v is Obj { return !!v && typeof v === 'object' && !Array.isArray(v); }

/** Structural checks of a ramdisk report: what a JSON schema would refuse (400, nothing changed). */
export function checkReport(data: unknown): asserts data is Data {
  if (!isObj(data)) throw new InspectorError(`Invalid data: expected a JSON object, got ${Array.isArray(data) ? 'list' : data === null ? 'NoneType' : typeof data === 'string' ? 'str' : typeof data}`, 400);
  const inv = data.inventory;
  if (inv === undefined) return; // the ramdisk_error / validate_interfaces hooks report it
  if (!isObj(inv)) throw new InspectorError('Invalid data: "inventory" must be a JSON object', 400);
  const arr = (k: string): void => {
    const v = inv[k];
    if (v === undefined || v === null) return;
    if (!Array.isArray(v) || v.some((x) => !isObj(x))) throw new InspectorError(`Invalid data: "inventory.${k}" must be a list of objects`, 400);
  };
  arr('interfaces'); arr('disks');
  for (const k of ['cpu', 'memory', 'system_vendor', 'boot']) {
    if (inv[k] !== undefined && inv[k] !== null && !isObj(inv[k])) throw new InspectorError(`Invalid data: "inventory.${k}" must be a JSON object`, 400);
  }
  for (const d of (inv.disks ?? []) as Obj[]) {
    if (d.size !== undefined && d.size !== null && (typeof d.size !== 'number' || !Number.isFinite(d.size) || d.size < 0)) {
      throw new InspectorError(`Invalid data: disk ${JSON.stringify(d.name ?? null)} has an invalid size ${JSON.stringify(d.size)}`, 400);
    }
  }
  for (const i of (inv.interfaces ?? []) as Obj[]) {
    if (i.mac_address !== undefined && i.mac_address !== null && typeof i.mac_address !== 'string') throw new InspectorError('Invalid data: an interface "mac_address" must be a string', 400);
  }
}

/** Python repr of the lookup attributes, as inspector's "Could not find a node" message. */
function attrsRepr(attrs: Record<string, string[]>): string {
  return `{${Object.entries(attrs).map(([k, v]) => `'${k}': [${v.map((x) => `'${x}'`).join(', ')}]`).join(', ')}}`;
}

function hostOf(addr: unknown): string | null {
  if (typeof addr !== 'string' || !addr) return null;
  try { return new URL(addr.includes('://') ? addr : `https://${addr}`).hostname.replace(/^\[|\]$/g, ''); } catch { return addr; }
}

export class Inspector {
  readonly store: InspectorStore;
  private pxe: PxeFilterWriter | null = null;
  private pxeChain: Promise<void> = Promise.resolve();

  constructor(readonly db: Kysely<Database>, readonly host: InspectorHost, readonly opts: InspectorOptions = DEFAULT_INSPECTOR_OPTIONS,
    readonly log: (msg: string, extra?: Obj) => void = () => undefined) {
    this.store = new InspectorStore(db);
  }

  get discovery(): boolean { return this.opts.nodeNotFoundHook === 'enroll'; }

  setPxeFilter(w: PxeFilterWriter | null): void { this.pxe = w; }

  /** Recompute and write the PXE filter (serialized; errors are logged, not thrown). */
  syncPxeFilter(): Promise<void> {
    const w = this.pxe;
    if (!w) return Promise.resolve();
    this.pxeChain = this.pxeChain.then(async () => {
      try { await w.apply(await filterFromDb(this.db, this.discovery)); } catch (err) { this.log('PXE filter sync failed', { err: (err as Error).message }); }
    });
    return this.pxeChain;
  }

  /** A node by UUID or name; 404 in inspector's words when none. */
  async nodeUuid(ident: string): Promise<string> {
    const r = await this.db.selectFrom('nodes').select('uuid').where((eb) => eb.or([eb('uuid', '=', ident), eb('name', '=', ident)])).executeTakeFirst();
    if (!r) throw new InspectorError(`Node ${ident} was not found in Ironic`, 404);
    return r.uuid;
  }

  async start(ident: string, manageBoot: boolean): Promise<void> {
    const uuid = await this.nodeUuid(ident);
    await this.host.startInspection(uuid);
    await this.store.start(uuid, manageBoot);
    void this.syncPxeFilter();
  }

  async abort(ident: string): Promise<void> {
    const uuid = await this.nodeUuid(ident);
    const st = await this.store.getStatus(uuid);
    if (!st) throw new InspectorError(`Could not find node ${uuid} in cache`, 404);
    if (st.finished_at) throw new InspectorError(`Node ${uuid} introspection already finished or not started`, 400);
    await this.host.abortInspection(uuid);
    await this.store.finish(uuid, 'Canceled by operator');
    void this.syncPxeFilter();
  }

  /**
   * The status of a node, reconciled with its provision state: a node in inspecting /
   * inspect wait (also when Ironic's API started it) is `waiting`; a `waiting` status whose
   * node left those states without a report (timeout, abort, failure) ends as `error` with
   * the node's last_error.
   */
  async statusOf(uuid: string): Promise<import('./store.ts').Status | undefined> {
    const st = await this.store.getStatus(uuid);
    const n = await this.db.selectFrom('nodes').select(['provision_state', 'last_error']).where('uuid', '=', uuid).executeTakeFirst();
    if (!n) return st;
    if (INSPECTING_STATES.includes(n.provision_state)) {
      if (!st || st.finished_at) { await this.store.start(uuid, true); return this.store.getStatus(uuid); }
      return st;
    }
    if (st && !st.finished_at && st.state === 'waiting') {
      await this.store.finish(uuid, n.last_error ?? `Inspection ended without a report (node is ${n.provision_state})`);
      return this.store.getStatus(uuid);
    }
    return st;
  }

  /** Called by the host when the node's inspection ends without a report (timeout, failure). */
  async noteFailure(uuid: string, message: string): Promise<void> {
    const st = await this.store.getStatus(uuid);
    if (st && !st.finished_at) await this.store.finish(uuid, message);
    void this.syncPxeFilter();
  }

  /** Called by the host when a node enters inspect wait through Ironic's API. */
  async noteStarted(uuid: string): Promise<void> {
    await this.store.start(uuid, true);
    void this.syncPxeFilter();
  }

  /** POST /v1/continue. */
  async continue(body: unknown): Promise<{ uuid: string }> {
    checkReport(body);
    const unprocessed = structuredClone(body);
    const data = body;
    const failures = runPreHooks(data, this.opts.processing);
    const found = await this.findNode(data);
    if (found === null && (failures.length || !this.discovery)) {
      // As inspector: the failed lookup joins the hook failures, all in one 400.
      const bmc = bmcAddress(data) ?? bmcV6Address(data);
      const macs = ((Array.isArray(data.macs) ? data.macs : []) as string[]).map((m) => m.toLowerCase());
      failures.push(`Look up error: Could not find a node for attributes ${attrsRepr({ bmc_address: bmc ? [bmc] : [], mac: macs })}`);
      throw new InspectorError(`The following failures happened during running pre-processing hooks:\n${failures.join('\n')}`, 400);
    }
    let uuid: string;
    let enrolled = false;
    if (found) uuid = found;
    else {
      uuid = await this.enroll(data);
      enrolled = true;
    }
    if (failures.length) {
      const msg = `The following failures happened during running pre-processing hooks:\n${failures.join('\n')}`;
      await this.store.finish(uuid, failures.join('\n'));
      await this.host.failInspection(uuid, failures.join('\n')).catch(() => undefined);
      void this.syncPxeFilter();
      throw new InspectorError(msg, 400);
    }
    if (!enrolled) {
      const st = await this.statusOf(uuid); // a new inspection through Ironic's API restarts it
      if (st?.finished_at) throw new InspectorError(`Node processing already finished with error: ${st.error}`, 400);
    }
    await this.store.setState(uuid, 'processing').catch(() => undefined);
    await this.store.saveData(uuid, false, unprocessed);
    await this.process(uuid, data, { powerOff: this.opts.powerOff && !enrolled });
    return { uuid };
  }

  /** POST /v1/introspection/{node}/data/unprocessed: hooks and rules again over stored (or given) data. */
  async reapply(ident: string, given?: Obj): Promise<void> {
    const uuid = await this.nodeUuid(ident);
    const st = await this.store.getStatus(uuid);
    if (!st) throw new InspectorError(`Could not find node ${uuid} in cache`, 404);
    if (!st.finished_at) throw new InspectorError(`Node ${uuid} is being introspected, please, try again later`, 409);
    const data = given ?? await this.store.getData(uuid, false);
    if (!data) throw new InspectorError(`Introspection data not found for node ${uuid}, processed=False`, 404);
    if (given) checkReport(given);
    const copy = structuredClone(data);
    await this.store.start(uuid, st.manage_boot, 'reapplying');
    const failures = runPreHooks(copy, this.opts.processing);
    if (failures.length) {
      await this.store.finish(uuid, `Pre-processing failures detected reapplying introspection on stored data:\n${failures.join('\n')}`);
      return;
    }
    if (given) await this.store.saveData(uuid, false, given);
    try { await this.process(uuid, copy, { powerOff: false }); } catch { /* recorded in the status */ }
  }

  private async process(uuid: string, data: Data, opts: { powerOff: boolean }): Promise<void> {
    try {
      await this.host.completeInspection(uuid, async ({ node, ports }) => {
        const facts: NodeFacts = { uuid, properties: (node.properties ?? {}) as Obj, provision_state: String(node.provision_state), ports };
        const patch = runPostHooks(data, facts, this.opts.processing);
        const merged: Obj = structuredClone(node);
        merged.properties = { ...(node.properties as Obj), ...patch.properties };
        const rules = await this.store.listRules();
        applyRules(rules, merged, data);
        const fields: Obj = {};
        for (const [k, v] of Object.entries(merged)) {
          if (k !== 'traits' && JSON.stringify(v) !== JSON.stringify(node[k])) fields[k] = v;
        }
        const traitsChanged = JSON.stringify(merged.traits ?? []) !== JSON.stringify(node.traits ?? []);
        await this.store.saveData(uuid, true, data);
        const { inventory, ...pluginData } = data;
        return { fields, ...(traitsChanged ? { traits: (merged.traits ?? []) as string[] } : {}), ports: patch.ports, inventory: inventory as Obj, pluginData };
      }, opts);
      await this.store.finish(uuid, null);
    } catch (err) {
      const msg = err instanceof ProcessingError || err instanceof InspectorError ? err.message : `Unexpected exception ${(err as Error).name} during processing: ${(err as Error).message}`;
      await this.store.finish(uuid, msg);
      throw err instanceof InspectorError ? err : new InspectorError(msg, err instanceof ProcessingError ? err.code : 500);
    } finally {
      void this.syncPxeFilter();
    }
  }

  /** The node being inspected that sent this report, null when none. */
  private async findNode(data: Data): Promise<string | null> {
    const inv = (data.inventory ?? {}) as Obj;
    const macs = new Set<string>();
    for (const i of (Array.isArray(inv.interfaces) ? inv.interfaces : []) as Obj[]) if (isValidMac(i.mac_address)) macs.add(i.mac_address.toLowerCase());
    for (const m of (Array.isArray(data.macs) ? data.macs : []) as unknown[]) if (isValidMac(m)) macs.add(m.toLowerCase());
    const byMac = macs.size === 0 ? [] : await this.db.selectFrom('ports').innerJoin('nodes', 'nodes.id', 'ports.node_id')
      .select(['nodes.uuid']).where('ports.address', 'in', [...macs]).where('nodes.provision_state', 'in', INSPECTING_STATES).execute();
    const uuids = new Set(byMac.map((r) => r.uuid));
    if (uuids.size > 1) throw new InspectorError(`Multiple matching nodes found for attributes ${attrsRepr({ mac: [...macs] })}: ${[...uuids].join(', ')}`, 400);
    if (uuids.size === 1) return [...uuids][0]!;
    const bmcs = [bmcAddress(data), bmcV6Address(data)].filter((x): x is string => !!x);
    if (bmcs.length) {
      const rows = await this.db.selectFrom('nodes').select(['uuid', 'driver_info']).where('provision_state', 'in', INSPECTING_STATES).execute();
      const hits = rows.filter((r) => {
        const di = (typeof r.driver_info === 'string' ? JSON.parse(r.driver_info || '{}') : r.driver_info ?? {}) as Obj;
        return ['ipmi_address', 'redfish_address', 'drac_address', 'ilo_address', 'irmc_address'].some((k) => bmcs.includes(hostOf(di[k]) ?? ''));
      });
      if (hits.length === 1) return hits[0]!.uuid;
    }
    return null;
  }

  /** Discovery (enroll hook): create the node once, or refuse. */
  private async enroll(data: Data): Promise<string> {
    const macs = ((Array.isArray(data.macs) ? data.macs : []) as string[]).map((m) => m.toLowerCase());
    const bmc = bmcAddress(data) ?? bmcV6Address(data);
    const attrs: Record<string, string[]> = { ...(bmc ? { bmc_address: [bmc] } : {}), mac: macs };
    if (!this.discovery) throw new InspectorError(`Could not find a node for attributes ${attrsRepr(attrs)}`, 404);
    if (macs.length) {
      const existing = await this.db.selectFrom('ports').innerJoin('nodes', 'nodes.id', 'ports.node_id').select(['nodes.uuid', 'ports.address'])
        .where('ports.address', 'in', macs).executeTakeFirst();
      if (existing) throw new InspectorError(`Port ${existing.address} already exists, uuid: ${existing.uuid}`, 400);
    }
    const key = bmc ? `bmc:${bmc}` : macs.length ? `mac:${[...macs].sort()[0]}` : null;
    if (!key) throw new InspectorError('No BMC address and no suitable interfaces in the report: cannot enroll the machine', 400);
    const uuid = newUuid();
    const claim = await this.store.claim(key, uuid);
    if (!claim.won) {
      throw new InspectorError(`A machine with ${key.replace(':', ' address ')} is being or was enrolled as node ${claim.holder}; this report was not processed`, 409);
    }
    try {
      const driverInfo: Obj = bmc ? { ipmi_address: bmc } : {};
      if (bmc && this.opts.enrollNodeDriver === 'redfish') driverInfo.redfish_address = bmc;
      await this.host.enrollNode(this.opts.enrollNodeDriver, { ...this.opts.enrollNodeFields, uuid, driver_info: driverInfo });
    } catch (err) {
      await this.store.releaseClaim(key, uuid);
      throw new InspectorError(`Failed to enroll the discovered machine: ${(err as Error).message}`, 400);
    }
    data.auto_discovered = true;
    await this.store.start(uuid, false, 'processing');
    return uuid;
  }
}
