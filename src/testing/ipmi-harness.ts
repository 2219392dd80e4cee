/**
 * Test harness for the ipmitool implementations (src/drivers/ipmi): a lab of machines with
 * their Redfish BMC (one service) and IPMI BMCs (one pyghmi process each, free UDP ports),
 * an `Ipmitool` with fast settings, and `ipmi` nodes on those machines. Only imported by
 * `*.test.ts` files. Needs ipmitool and python3-pyghmi (`requireIpmiTools` says what is missing).
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Json, Node } from '../core/node.ts';
import { Ipmitool, type IpmiOptions } from '../drivers/ipmi/index.ts';
import { startRedfishLab, type RedfishLab, type RedfishLabOptions } from '../lab/redfish/index.ts';
import { DEBIAN_PYTHON, startIpmiLab, type IpmiLab } from '../lab/ipmi/index.ts';
import { makeTestNode } from './driver-conformance.ts';
import { LabNode } from './redfish-harness.ts';

/** Settings small enough for tests against the local lab (Ironic: 5 s interval, 60 s window). */
export const FAST_IPMI: Partial<IpmiOptions> = {
  minCommandIntervalS: 0.05, commandRetryTimeoutS: 4, powerTimeoutS: 5, softPowerTimeoutS: 5,
};

/** What is missing to run the IPMI tests (ipmitool, python3-pyghmi), or undefined. */
export function missingIpmiTools(): string | undefined {
  const missing: string[] = [];
  try { execFileSync('ipmitool', ['-V'], { stdio: 'ignore' }); } catch { missing.push('ipmitool'); }
  if (!existsSync(DEBIAN_PYTHON)) missing.push('python3 (/usr/bin/python3)');
  else {
    try { execFileSync(DEBIAN_PYTHON, ['-c', 'import pyghmi.ipmi.bmc'], { stdio: 'ignore' }); } catch { missing.push('python3-pyghmi'); }
  }
  return missing.length ? `missing Debian packages: ${missing.join(', ')} (scripts/lib/deps.sh installs them)` : undefined;
}

/** Throws a clear error when the tools are missing (tests must fail, not skip, then). */
export function requireIpmiTools(): void {
  const why = missingIpmiTools();
  if (why) throw new Error(`IPMI tests cannot run: ${why}`);
}

export interface IpmiTestLab {
  lab: RedfishLab;
  ipmi: IpmiLab;
  tool: Ipmitool;
  driverInfo(i?: number): Json;
  /** An `ipmi` node on machine `i`. */
  node(i?: number, fields?: Partial<Node>): LabNode;
}

export const IPMI_NODE_FIELDS: Partial<Node> = {
  driver: 'ipmi', power_interface: 'ipmitool', management_interface: 'ipmitool', vendor_interface: 'ipmitool',
  console_interface: 'no-console', boot_interface: 'ipxe', deploy_interface: 'direct', bios_interface: 'no-bios',
  inspect_interface: 'no-inspect', raid_interface: 'no-raid', rescue_interface: 'no-rescue', network_interface: 'noop',
  storage_interface: 'noop',
};

/** Starts the labs for one test (or suite); closed by `t.after`. */
export async function ipmiTestLab(t: { after(fn: () => unknown): void }, opts: Partial<RedfishLabOptions> = {},
  toolOpts: Partial<IpmiOptions> = {}): Promise<IpmiTestLab> {
  requireIpmiTools();
  const lab = await startRedfishLab({ machines: 2, port: 0, host: '127.0.0.1', ...opts });
  let ipmi: IpmiLab;
  try { ipmi = await startIpmiLab({ machines: lab.machines, basePort: 0 }); } catch (e) { await lab.close(); throw e; }
  t.after(async () => { await ipmi.close(); await lab.close(); });
  const tool = new Ipmitool({ ...FAST_IPMI, ...toolOpts });
  const driverInfo = (i = 0): Json => ipmi.driverInfo(i);
  return {
    lab, ipmi, tool, driverInfo,
    node: (i = 0, fields = {}) => new LabNode(makeTestNode({ ...IPMI_NODE_FIELDS, driver_info: driverInfo(i), ...fields })),
  };
}
