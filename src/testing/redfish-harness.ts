/**
 * Test harness for the redfish implementations (src/drivers/redfish): a lab BMC, a
 * connection cache with fast timings, and nodes whose driver-requested changes
 * (driver_internal_info, node fields, BIOS rows) are kept between calls, as the conductor
 * would persist them. Only imported by `*.test.ts` files.
 */
import type { Json, Node } from '../core/node.ts';
import type { BiosSetting, DriverContext, NodeFieldUpdate } from '../drivers/base.ts';
import { makeTestContext, makeTestNode } from './driver-conformance.ts';
import { startRedfishLab, type RedfishLab, type RedfishLabOptions } from '../lab/redfish/index.ts';
import { RedfishConnectionCache, type RedfishConnectionCacheOptions } from '../drivers/redfish/index.ts';

/** Timings small enough for tests against the (instant) lab. */
export const FAST: RedfishConnectionCacheOptions = {
  client: { retries: 1, retryDelayMs: 5, maxRetryDelayMs: 20, timeoutMs: 1500 },
  timings: { pollMs: 5, powerTimeoutS: 3, softPowerTimeoutS: 3, taskTimeoutS: 10, biosApplyTimeoutS: 1 },
};

/** A node record plus what drivers asked the conductor to persist about it. */
export class LabNode {
  node: Node;
  bios: BiosSetting[] = [];
  fieldWrites: NodeFieldUpdate[] = [];

  constructor(node: Node) { this.node = node; }

  /** A context over a snapshot of the node; writes go to this record. */
  ctx(opts: { signal?: AbortSignal } = {}): DriverContext {
    const base = makeTestContext({ node: structuredClone(this.node), biosSettings: this.bios, ...opts });
    return {
      ...base,
      setInternalInfo: (values: Json) => { this.node.driver_internal_info = { ...this.node.driver_internal_info, ...values }; },
      setNodeFields: (f: NodeFieldUpdate) => { this.fieldWrites.push(f); Object.assign(this.node, f); },
      replaceBiosSettings: (s: BiosSetting[]) => { this.bios = s; },
    };
  }

  set(fields: Partial<Node>): this { Object.assign(this.node, fields); return this; }
}

export interface RedfishTestLab {
  lab: RedfishLab;
  cache: RedfishConnectionCache;
  /** driver_info pointing at machine `i` of the lab. */
  driverInfo(i?: number): Json;
  /** A redfish node on machine `i`. */
  node(i?: number, fields?: Partial<Node>): LabNode;
}

/** Starts a lab and a cache for one test (or suite); both are closed by `t.after`. */
export async function redfishTestLab(t: { after(fn: () => unknown): void }, opts: Partial<RedfishLabOptions> = {},
  cacheOpts: RedfishConnectionCacheOptions = FAST): Promise<RedfishTestLab> {
  const lab = await startRedfishLab({ machines: 2, port: 0, host: '127.0.0.1', taskDelayMs: 30, ...opts });
  const cache = new RedfishConnectionCache(cacheOpts);
  t.after(async () => { await cache.close(); await lab.close(); });
  const driverInfo = (i = 0): Json => ({
    redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${lab.machines[i]!.id}`,
    redfish_username: 'admin', redfish_password: 'password', deploy_iso: 'http://images.test/deploy.iso',
    rescue_iso: 'http://images.test/rescue.iso',
  });
  return {
    lab, cache, driverInfo,
    node: (i = 0, fields = {}) => new LabNode(makeTestNode({
      driver: 'redfish', driver_info: driverInfo(i), power_interface: 'redfish', management_interface: 'redfish',
      inspect_interface: 'redfish', bios_interface: 'redfish', raid_interface: 'redfish', boot_interface: 'redfish-virtual-media',
      vendor_interface: 'redfish', deploy_interface: 'direct', ...fields,
    })),
  };
}
