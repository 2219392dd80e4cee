/**
 * The two servers of the compatibility suite: a fresh real Ironic 21.4 (the peer scripts
 * in `<shared>/peer/ironic`, own state dir and ports, never the shared peer on 6390) and a
 * fresh Ingot listening on a free port with the same conductor hostname as the peer.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { PEER_DIR } from '../../src/testing/shared-data.ts';
import { freePort } from '../support/serve-process.ts';

const run = promisify(execFile);

/** Why the suite cannot run here, or undefined when it can. */
export function skipReason(): string | undefined {
  if (!existsSync('/usr/bin/ironic-api')) return 'the real Ironic is not installed (/usr/bin/ironic-api missing; see <shared>/peer/ironic/install.sh)';
  if (!existsSync(join(PEER_DIR, 'start.sh'))) return `peer scripts not found in ${PEER_DIR}`;
  return undefined;
}

export interface Peer {
  url: string;
  dir: string;
  stop(): Promise<void>;
  /** Last resort when the test process exits early (timeout, crash): stop the daemons now. */
  stopSync(): void;
}

/** Start a private real Ironic (fresh SQLite DB) and wait until it serves fake-hardware. */
export async function startPeer(): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-compat-peer-'));
  let apiPort = await freePort();
  while (apiPort === 6390) apiPort = await freePort();
  let rpcPort = await freePort();
  while (rpcPort === apiPort || rpcPort === 6390) rpcPort = await freePort();
  const env = { ...process.env, IRONIC_PEER_DIR: dir, IRONIC_API_PORT: String(apiPort), IRONIC_RPC_PORT: String(rpcPort), IRONIC_RESET_DB: '1' };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await run('bash', [join(PEER_DIR, 'stop.sh')], { env }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try { execFileSync('bash', [join(PEER_DIR, 'stop.sh')], { env, stdio: 'ignore' }); } catch { /* best effort */ }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  try {
    await run('bash', [join(PEER_DIR, 'start.sh')], { env, timeout: 90_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${apiPort}`, dir, stop, stopSync };
}

export interface Ingot { url: string; svc: Service; stop(): Promise<void> }

/** Start Ingot on a free port; its conductor calls itself 127.0.0.1 like the peer's. */
export async function startIngot(): Promise<Ingot> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-compat-'));
  const port = await freePort();
  const config = loadConfig({}, { dataDir: dir, db: join(dir, 'ingot.db'), host: '127.0.0.1', port, httpPort: 0, conductorHostname: '127.0.0.1', logLevel: 'silent' });
  const svc = await startService(config, { listen: true, periodics: true, logger: pino({ level: 'silent' }) });
  return {
    url: svc.url, svc,
    async stop() {
      await svc.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
