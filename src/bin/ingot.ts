#!/usr/bin/env node
/**
 * `ingot`: the one entry point. Server verbs (serve, api, conductor, lab, agent) and
 * client verbs (node, port, driver, ...) share flags: --port, --host, --db, --data-dir,
 * each also readable from INGOT_* variables.
 */
import { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.ts';
import { startService } from './service.ts';
import { registerClientCommands } from '../cli/commands.ts';

function configFrom(opts: { port?: string; host?: string; db?: string; dataDir?: string; inspectorPort?: string }): Config {
  const over: Partial<Config> = {};
  if (opts.port !== undefined) over.port = Number(opts.port);
  if (opts.host !== undefined) over.host = opts.host;
  if (opts.dataDir !== undefined) over.dataDir = opts.dataDir;
  const base = loadConfig(process.env, over);
  if (opts.inspectorPort !== undefined) base.inspector.port = Number(opts.inspectorPort);
  if (opts.db !== undefined) base.db = opts.db;
  else if (opts.dataDir !== undefined && !process.env.INGOT_DB) base.db = `${opts.dataDir}/ingot.db`;
  return base;
}

const program = new Command();
program.name('ingot').description('Ingot: bare-metal provisioning with an Ironic-compatible API');

program.command('serve')
  .description('API + conductor in one process on an embedded SQLite database (default port 6385)')
  .option('--port <port>', 'API port (INGOT_PORT)')
  .option('--host <host>', 'listen address (INGOT_HOST)')
  .option('--db <url>', 'database: sqlite file path, postgres://, mysql:// (INGOT_DB)')
  .option('--data-dir <dir>', 'state directory (INGOT_DATA_DIR)')
  .option('--inspector-port <port>', 'ironic-inspector API port, 0 = a free port (INGOT_INSPECTOR_PORT, 5050)')
  .action(async (opts) => {
    const svc = await startService(configFrom(opts));
    // First SIGTERM/SIGINT: graceful shutdown (the conductor drains for
    // graceful_shutdown_timeout, then fails what still runs); a second one exits at once.
    let stopping = false;
    const stop = async () => {
      if (stopping) process.exit(1);
      stopping = true;
      await svc.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program.command('lab')
  .description('Emulated Redfish BMCs for N machines at http://HOST:PORT/redfish/v1 (user admin, password password)')
  .option('--machines <n>', 'number of machines', '4')
  .option('--port <port>', 'Redfish port (INGOT_LAB_PORT)', process.env.INGOT_LAB_PORT ?? '8000')
  .option('--host <host>', 'listen address', process.env.INGOT_LAB_HOST ?? '127.0.0.1')
  .option('--profile <name>', 'generic, dmtf-rackmount, dmtf-tower, hpe-ilo5, ami-megarac, or a mockup folder', 'generic')
  .option('--tls-cert <pem>', 'serve HTTPS with this certificate')
  .option('--tls-key <pem>', 'and this key')
  .option('--user <user:password>', 'accepted credentials', 'admin:password')
  .action(async (opts) => {
    const { startRedfishLab } = await import('../lab/redfish/index.ts');
    const machines = Number(opts.machines);
    if (!Number.isInteger(machines) || machines < 1) throw new Error(`--machines must be a positive integer, got "${opts.machines}"`);
    const [user, ...pw] = String(opts.user).split(':');
    const lab = await startRedfishLab({
      machines, port: Number(opts.port), host: opts.host, profile: opts.profile,
      users: { [user!]: pw.join(':') },
      ...(opts.tlsCert && opts.tlsKey ? { tls: { cert: opts.tlsCert, key: opts.tlsKey } } : {}),
    });
    console.log(`Redfish lab: ${machines} machine(s) at ${lab.url}/redfish/v1 (profile ${opts.profile})`);
    for (const m of lab.machines) console.log(`  ${m.id}  ${lab.url}/redfish/v1/Systems/${m.id}`);
    const stop = async () => { await lab.close(); process.exit(0); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

registerClientCommands(program);

program.parseAsync(process.argv).catch((err) => {
  console.error(`ingot: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
