/**
 * Test networks in network namespaces (never the machine's own interfaces): a "server"
 * namespace holding one end of a veth pair with an address, a "client" namespace with
 * the other end (MAC chosen by the test). Both are created with `ip netns add` and
 * removed by `close()` (which removes the veth pair with them).
 *
 * Needs root (CAP_NET_ADMIN) and iproute2; `netnsUnavailable()` says why a test must skip.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TestNet {
  server: string;
  client: string;
  /** Interface names inside the namespaces. */
  serverIf: string;
  clientIf: string;
  serverIp: string;
  /** `ip netns exec <ns>` prefix for commands. */
  exec(ns: string): string[];
  close(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });

/** Why namespaces cannot be made here, or null. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try { ip('-V'); } catch { return 'iproute2 (ip) is not installed'; }
  return null;
}

/** `prefix24` like `10.77.3` → server gets `.1/24`. */
export function makeTestNet(opts: { prefix24: string; clientMac: string }): TestNet {
  const id = randomBytes(3).toString('hex');
  const server = `ingot-${id}-s`;
  const client = `ingot-${id}-c`;
  const serverIf = 'vs0';
  const clientIf = 'vc0';
  const serverIp = `${opts.prefix24}.1`;
  const close = () => {
    for (const ns of [server, client]) { try { ip('netns', 'del', ns); } catch { /* already gone */ } }
  };
  try {
    ip('netns', 'add', server);
    ip('netns', 'add', client);
    ip('-n', server, 'link', 'add', serverIf, 'type', 'veth', 'peer', 'name', clientIf, 'netns', client);
    ip('-n', server, 'addr', 'add', `${serverIp}/24`, 'dev', serverIf);
    ip('-n', server, 'link', 'set', 'lo', 'up');
    ip('-n', server, 'link', 'set', serverIf, 'up');
    ip('-n', client, 'link', 'set', clientIf, 'address', opts.clientMac);
    ip('-n', client, 'link', 'set', 'lo', 'up');
    ip('-n', client, 'link', 'set', clientIf, 'up');
  } catch (err) {
    close();
    throw err;
  }
  return { server, client, serverIf, clientIf, serverIp, exec: (ns) => ['ip', 'netns', 'exec', ns], close };
}
