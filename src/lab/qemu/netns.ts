/**
 * The QEMU lab's network: one network namespace the lab creates, with a bridge (`br0`)
 * holding the provisioning network's first address (`<prefix>.1/24`). Machines' NICs are
 * tap devices on that bridge. Nothing is added to the machine's own network: every `ip`
 * command names the namespace (`ip -n`), and `close()` deletes the namespace with all it
 * holds.
 *
 * Processes that must talk to the machines (Ingot's API, conductor and file server,
 * dnsmasq, the lab's Redfish service) run inside the namespace: `reexecInNetns` starts the
 * current program again under `ip netns exec` (the namespace is created first and removed
 * when the program ends), so a program can say "run me inside the lab network".
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });

export const LAB_BRIDGE = 'br0';
/** Set in the environment of a program re-executed inside the namespace. */
export const NETNS_ENV = 'INGOT_LAB_NETNS';

export interface LabNetwork {
  ns: string;
  bridge: string;
  prefix24: string;
  /** `<prefix>.1`: the address of the provisioning side (Ingot, dnsmasq). */
  serverIp: string;
  /** Creates tap `name` on the bridge (idempotent). */
  addTap(name: string): void;
  /** Deletes the namespace (only when this object created it). */
  close(): void;
}

/** Why the lab network cannot be made here, or null. */
export function labNetworkUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the QEMU lab network (network namespaces, tap devices) needs root';
  try { ip('-V'); } catch { return 'iproute2 (ip) is not installed'; }
  try { statSync('/dev/net/tun'); } catch { return 'no /dev/net/tun (tap devices)'; }
  return null;
}

/** Whether the namespace `ns` exists. */
export function netnsExists(ns: string): boolean {
  try { return ip('netns', 'list').split('\n').some((l) => l.split(' ')[0] === ns); } catch { return false; }
}

/** Creates the namespace with its bridge (or adopts an existing one that has the bridge). */
export function createLabNetwork(opts: { ns?: string; prefix24: string }): LabNetwork {
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(opts.prefix24)) throw new Error(`lab network prefix must look like 10.77.30, got "${opts.prefix24}"`);
  const ns = opts.ns ?? `ingot-${randomBytes(3).toString('hex')}-qemu`;
  const serverIp = `${opts.prefix24}.1`;
  const created = !netnsExists(ns);
  const net: LabNetwork = {
    ns, bridge: LAB_BRIDGE, prefix24: opts.prefix24, serverIp,
    addTap(name) {
      try { ip('-n', ns, 'link', 'show', name); return; } catch { /* not there yet */ }
      ip('-n', ns, 'tuntap', 'add', 'dev', name, 'mode', 'tap');
      ip('-n', ns, 'link', 'set', name, 'master', LAB_BRIDGE);
      ip('-n', ns, 'link', 'set', name, 'up');
    },
    close() {
      if (created) { try { ip('netns', 'del', ns); } catch { /* gone */ } }
    },
  };
  if (!created) {
    try { ip('-n', ns, 'link', 'show', LAB_BRIDGE); return net; } catch { throw new Error(`network namespace ${ns} exists but has no ${LAB_BRIDGE}`); }
  }
  try {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', LAB_BRIDGE, 'type', 'bridge');
    ip('-n', ns, 'addr', 'add', `${serverIp}/24`, 'dev', LAB_BRIDGE);
    ip('-n', ns, 'link', 'set', LAB_BRIDGE, 'up');
  } catch (err) {
    net.close();
    throw err;
  }
  return net;
}

/** True when this process runs inside the namespace `ns` (same network namespace inode). */
export function insideNetns(ns: string): boolean {
  try {
    const a = statSync(`/run/netns/${ns}`);
    const b = statSync('/proc/self/ns/net');
    return a.ino === b.ino && a.dev === b.dev;
  } catch { return false; }
}

/**
 * Runs the current program inside the lab namespace. Inside (the re-executed child): returns
 * the network. Outside: creates the network, runs `ip netns exec <ns> <this program>` with the
 * same arguments (stdio shared, SIGINT/SIGTERM forwarded), removes the network when the child
 * ends and exits with its status; never returns.
 */
export async function reexecInNetns(opts: { ns?: string; prefix24: string }): Promise<LabNetwork> {
  const mine = process.env[NETNS_ENV];
  if (mine && insideNetns(mine)) return createLabNetwork({ ns: mine, prefix24: opts.prefix24 });
  const net = createLabNetwork(opts);
  const child = spawn('ip', ['netns', 'exec', net.ns, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, [NETNS_ENV]: net.ns },
  });
  const forward = (sig: NodeJS.Signals) => () => { child.kill(sig); };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  const code = await new Promise<number>((ok) => child.once('close', (c, sig) => ok(c ?? (sig ? 128 + 15 : 1))));
  net.close();
  process.exit(code);
}
