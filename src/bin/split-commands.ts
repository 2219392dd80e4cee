/**
 * `ingot api` and `ingot conductor`: the scale-out processes (see split.ts). Flags
 * override the INGOT_* variables of the same options.
 */
import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { loadClusterConfig } from '../config/cluster.ts';

type ConfigFrom = (opts: { port?: string; host?: string; db?: string; dataDir?: string; inspectorPort?: string }) => Config;

function onSignals(close: () => Promise<void>): void {
  const stop = async () => { await close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function registerSplitCommands(program: Command, configFrom: ConfigFrom): void {
  program.command('api')
    .description('The REST API alone (stateless; any number behind a load balancer), calling `ingot conductor` processes over JSON-RPC; PostgreSQL or MariaDB only')
    .option('--port <port>', 'API port (INGOT_PORT)')
    .option('--host <host>', 'listen address (INGOT_HOST)')
    .option('--db <url>', 'database: postgres:// or mysql:// (INGOT_DB)')
    .option('--inspector-port <port>', 'ironic-inspector API port, 0 = a free port (INGOT_INSPECTOR_PORT, 5050)')
    .action(async (opts) => {
      const { startApiProcess } = await import('./split.ts');
      const p = await startApiProcess(configFrom(opts), loadClusterConfig(process.env));
      console.log(`ingot api: ${p.url}, inspector API at ${p.inspector.url}`);
      onSignals(() => p.close());
    });

  program.command('conductor')
    .description('A conductor alone (any number), with its JSON-RPC listener; PostgreSQL or MariaDB only')
    .option('--name <name>', 'conductor host name (INGOT_CONDUCTOR_HOSTNAME)')
    .option('--conductor-group <group>', 'conductor group (INGOT_CONDUCTOR_GROUP)')
    .option('--db <url>', 'database: postgres:// or mysql:// (INGOT_DB)')
    .option('--host <host>', 'address the RPC listener binds (INGOT_HOST)')
    .option('--rpc-port <port>', 'JSON-RPC port, 0 = any free one (INGOT_JSON_RPC_PORT, default 8089)')
    .option('--data-dir <dir>', 'state directory (INGOT_DATA_DIR)')
    .action(async (opts) => {
      const { startConductorProcess } = await import('./split.ts');
      const config = configFrom(opts);
      if (opts.name !== undefined) config.conductorHostname = opts.name;
      if (opts.conductorGroup !== undefined) config.conductorGroup = opts.conductorGroup;
      const cluster = loadClusterConfig(process.env);
      if (opts.rpcPort !== undefined) {
        const port = Number(opts.rpcPort);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--rpc-port must be a port number, got "${opts.rpcPort}"`);
        cluster.jsonRpc.port = port;
      }
      const p = await startConductorProcess(config, cluster);
      console.log(`ingot conductor ${config.conductorHostname}: JSON-RPC at ${p.rpcAddress}`);
      onSignals(() => p.close());
    });
}
