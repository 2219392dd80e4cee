#!/usr/bin/env node
/**
 * `ingot`: the one entry point. Server verbs (serve, api, conductor, lab, agent) and
 * client verbs (node, port, driver, ...) share flags: --port, --host, --db, --data-dir,
 * each also readable from INGOT_* variables.
 */
import { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.ts';
import { startService } from './service.ts';

function configFrom(opts: { port?: string; host?: string; db?: string; dataDir?: string }): Config {
  const over: Partial<Config> = {};
  if (opts.port !== undefined) over.port = Number(opts.port);
  if (opts.host !== undefined) over.host = opts.host;
  if (opts.dataDir !== undefined) over.dataDir = opts.dataDir;
  const base = loadConfig(process.env, over);
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
  .action(async (opts) => {
    const svc = await startService(configFrom(opts));
    const stop = async () => { await svc.close(); process.exit(0); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program.parseAsync(process.argv).catch((err) => {
  console.error(`ingot: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
