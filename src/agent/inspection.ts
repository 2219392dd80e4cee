/**
 * In-band inspection, the agent's side (IPA 9.4.3's inspector.py): when the machine booted
 * with `ipa-inspection-callback-url`, the agent runs the collectors named by
 * `ipa-inspection-collectors` (default `default`) and POSTs what they gathered to the
 * callback (ironic-inspector's `/v1/continue`, or Ingot's built-in one) before it looks
 * itself up. A collector's failure does not stop the others: failures travel in the
 * report's `error` field (inspector's `ramdisk_error` hook fails the inspection with it).
 *
 * Collectors:
 * - `default`: `inventory` (lldp per interface only with `ipa-collect-lldp=1`, as IPA; a
 *   lab machine reports its modelled TLVs, the Linux machine none yet: IPA listens for LLDP
 *   frames on raw sockets, which this agent does not do),
 *   `root_disk` (IPA's guess: the smallest disk of at least 4 GiB), `boot_interface`
 *   (the booted NIC's MAC), `configuration` {collectors, managers};
 * - `logs`: `logs`, the machine's logs as a base64 gzipped tar (what ramdisk_error stores);
 * - `lldp`: `lldp_raw` {interface name: TLVs} (IPA's collect_lldp);
 * - `pci-devices`, `extra-hardware`, `numa-topology`, `dmi-decode`: not provided by this
 *   agent; named, they are reported as failures, as IPA reports a collector it cannot load.
 *
 * Posting: retried on connection errors and 5xx (IPA: 5 attempts, exponential wait 5 to
 * 30 s; `retryWaitS` shortens it in tests); a 4xx is logged and inspection gives up
 * (IPA: "proceeding with lookup"). `ipa-inspection-dhcp-all-interfaces` /
 * `ipa-inspection-dhcp-wait-timeout` (IPA waits for DHCP addresses first) are read and
 * logged: a lab machine has no DHCP, and on Linux the ramdisk's init brings links up.
 */
import { request } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Inventory, Machine } from './hardware/types.ts';
import { gzippedTar } from './commands/logs.ts';

export interface InspectionParams {
  callbackUrl: string;
  collectors: string[];
  collectLldp: boolean;
  dhcpAllInterfaces: boolean;
  dhcpWaitTimeout: number | null;
}

const truthy = (v: string | undefined): boolean => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());

/** The inspection parameters of a kernel command line (plus an explicit callback URL), or null when inspection is off. */
export function inspectionParams(kparams: Readonly<Record<string, string>>, callbackOverride?: string | null): InspectionParams | null {
  const callbackUrl = callbackOverride || kparams['ipa-inspection-callback-url'];
  if (!callbackUrl) return null;
  const names = (kparams['ipa-inspection-collectors'] ?? 'default').split(',').map((s) => s.trim()).filter(Boolean);
  const wait = kparams['ipa-inspection-dhcp-wait-timeout'];
  return {
    callbackUrl, collectors: names, collectLldp: truthy(kparams['ipa-collect-lldp']),
    dhcpAllInterfaces: truthy(kparams['ipa-inspection-dhcp-all-interfaces']),
    dhcpWaitTimeout: wait === undefined || wait === '' ? null : Number(wait),
  };
}

/** IPA's guess_root_disk: the smallest disk of at least 4 GiB (IPA's minimum root disk size). */
export function guessRootDisk<D extends { size: number }>(disks: readonly D[]): D | null {
  const ok = disks.filter((d) => d.size >= 4 * 1024 ** 3).sort((a, b) => a.size - b.size);
  return ok[0] ?? null;
}

type Collector = (data: Record<string, unknown>, fail: (msg: string) => void) => Promise<void>;

export interface CollectOptions {
  machine: Machine;
  params: InspectionParams;
  tmpDir: string;
  /** The agent's own log lines (added to the `logs` collector's archive). */
  agentLog?: () => string;
}

function inventoryFor(inv: Inventory, lldp: boolean): Inventory {
  return lldp ? inv : { ...inv, interfaces: inv.interfaces.map((i) => ({ ...i, lldp: null })) };
}

function collectors(o: CollectOptions): Record<string, Collector> {
  return {
    default: async (data) => {
      const inv = inventoryFor(await o.machine.inventory(), o.params.collectLldp);
      data.inventory = inv;
      const root = guessRootDisk(inv.disks);
      if (root) data.root_disk = root;
      data.boot_interface = inv.boot.pxe_interface;
      data.configuration = { collectors: o.params.collectors, managers: [{ name: 'generic_hardware_manager', version: '1.1' }] };
    },
    logs: async (data) => {
      const files = { ...(await o.machine.systemLogs()), ...(o.agentLog ? { 'ingot-agent.log': o.agentLog() } : {}) };
      data.logs = (await gzippedTar(files, o.tmpDir)).toString('base64');
    },
    lldp: async (data) => {
      const inv = await o.machine.inventory();
      data.lldp_raw = Object.fromEntries(inv.interfaces.map((i) => [i.name, i.lldp ?? []]));
    },
  };
}

/** Runs the collectors in order; returns the report with `error` (null when all succeeded). */
export async function collectInspectionData(o: CollectOptions): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = {};
  const failures: string[] = [];
  const known = collectors(o);
  for (const name of o.params.collectors) {
    const c = known[name];
    if (!c) { failures.push(`Failed to load collector ${name}`); continue; }
    try {
      await c(data, (m) => failures.push(m));
    } catch (err) {
      failures.push(`collector ${name} failed: ${(err as Error).message}`);
    }
  }
  data.error = failures.length ? `The following errors were encountered:\n${failures.map((f) => `* ${f}`).join('\n')}` : null;
  return data;
}

export interface PostOptions {
  attempts?: number;
  /** First wait between attempts, doubled (×1.5 as IPA's multiplier) up to 30 s. */
  retryWaitS?: number;
  timeoutS?: number;
  log?: (msg: string) => void;
}

/** POSTs the report; resolves to the callback's JSON answer, or null when it refused (4xx). Throws when it never answered. */
export async function postInspectionData(url: string, data: Record<string, unknown>, o: PostOptions = {}): Promise<Record<string, unknown> | null> {
  const attempts = o.attempts ?? 5;
  let wait = o.retryWaitS ?? 5;
  const log = o.log ?? (() => {});
  let last = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      log(`posting collected data to ${url}`);
      const res = await request(url, {
        method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(data),
        headersTimeout: (o.timeoutS ?? 60) * 1000, bodyTimeout: (o.timeoutS ?? 60) * 1000,
      });
      const text = await res.body.text();
      if (res.statusCode < 400) {
        try { return (text ? JSON.parse(text) : {}) as Record<string, unknown>; } catch { return {}; }
      }
      if (res.statusCode < 500) {
        log(`inspector ${url} error ${res.statusCode}: ${text}, proceeding with lookup`);
        return null;
      }
      last = `HTTP ${res.statusCode}: ${text.slice(0, 500)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (i < attempts) {
      log(`posting to the inspector failed (${last}); retrying in ${wait}s`);
      await sleep(wait * 1000);
      wait = Math.min(wait * 1.5, 30);
    }
  }
  throw new Error(`the inspection data could not be posted to ${url} after ${attempts} attempts: ${last}`);
}

/**
 * IPA's inspector.inspect(): collect, post, answer the node UUID the callback named
 * (used by the following lookup) or null. Never throws: failures are logged, as IPA logs
 * "Failed to perform inspection" and carries on.
 */
export async function runInspection(o: CollectOptions & PostOptions): Promise<{ uuid: string | null; answer: Record<string, unknown> | null; error: string | null }> {
  const log = o.log ?? (() => {});
  log(`inspection is enabled with collectors ${o.params.collectors.join(',')}`);
  if (o.params.dhcpWaitTimeout || o.params.dhcpAllInterfaces) log('not waiting for DHCP addresses (the interfaces are configured before the agent starts)');
  try {
    const data = await collectInspectionData(o);
    const answer = await postInspectionData(o.params.callbackUrl, data, o);
    if (!answer) return { uuid: null, answer: null, error: 'stopping inspection, as inspector returned an error' };
    if (data.error) log(`inspection data posted with errors: ${String(data.error)}`);
    else log('inspection finished successfully');
    return { uuid: typeof answer.uuid === 'string' ? answer.uuid : null, answer, error: data.error ? String(data.error) : null };
  } catch (err) {
    const msg = (err as Error).message;
    log(`Failed to perform inspection: ${msg}`);
    return { uuid: null, answer: null, error: msg };
  }
}
