/**
 * Client verbs of `ingot` (`ingot node list`, `ingot node deploy NODE --wait` ...): a thin
 * layer over the REST client for operators without python-ironicclient. Output is a plain
 * table, or JSON with `-f json`.
 */
import type { Command } from 'commander';
import Table from 'cli-table3';
import { IngotClient, ApiError } from '../client/index.ts';

interface GlobalOpts { url: string; format: 'table' | 'json' }

function client(cmd: Command): [IngotClient, GlobalOpts] {
  const o = cmd.optsWithGlobals() as { url?: string; format?: string };
  const url = o.url ?? process.env.INGOT_URL ?? `http://127.0.0.1:${process.env.INGOT_PORT ?? '6385'}`;
  const format = o.format === 'json' ? 'json' : 'table';
  return [new IngotClient({ endpoint: url }), { url, format }];
}

function print(rows: Record<string, unknown>[], cols: string[], fmt: GlobalOpts['format']): void {
  if (fmt === 'json') { console.log(JSON.stringify(rows, null, 2)); return; }
  const t = new Table({ head: cols, style: { head: [], border: [] } });
  for (const r of rows) t.push(cols.map((c) => { const v = r[c]; return v === null || v === undefined ? 'None' : typeof v === 'object' ? JSON.stringify(v) : String(v); }));
  console.log(t.toString());
}

function show(obj: Record<string, unknown>, fmt: GlobalOpts['format']): void {
  if (fmt === 'json') { console.log(JSON.stringify(obj, null, 2)); return; }
  print(Object.entries(obj).filter(([k]) => !['links', 'ports', 'states', 'portgroups', 'volume'].includes(k)).map(([Field, Value]) => ({ Field, Value })), ['Field', 'Value'], fmt);
}

/** Wrap an action: ApiError → one clear line on stderr and exit code 1. */
function act<A extends unknown[]>(fn: (...a: A) => Promise<void>): (...a: A) => Promise<void> {
  return async (...a: A) => {
    try { await fn(...a); } catch (err) {
      console.error(err instanceof ApiError ? `${err.message} (HTTP ${err.status})` : (err as Error).message);
      process.exitCode = 1;
    }
  };
}

const VERBS: [string, string, string][] = [
  ['manage', 'manage', 'manageable'], ['provide', 'provide', 'available'], ['inspect', 'inspect', 'manageable'],
  ['deploy', 'active', 'active'], ['undeploy', 'deleted', 'available'], ['abort', 'abort', ''], ['adopt', 'adopt', 'active'],
];

export function registerClientCommands(program: Command): void {
  const node = program.command('node').description('manage nodes through the REST API')
    .option('--url <url>', 'Ingot API endpoint (INGOT_URL)').option('-f, --format <fmt>', 'table or json', 'table');
  node.command('list').description('list nodes').action(act(async (_o: unknown, cmd: Command) => {
    const [c, g] = client(cmd);
    print((await c.listNodes()).nodes, ['uuid', 'name', 'instance_uuid', 'power_state', 'provision_state', 'maintenance'], g.format);
  }));
  node.command('show <node>').description('show one node').action(act(async (id: string, _o: unknown, cmd: Command) => {
    const [c, g] = client(cmd);
    show(await c.getNode(id), g.format);
  }));
  node.command('create').description('enroll a node').requiredOption('--driver <driver>').option('--name <name>')
    .option('--driver-info <k=v...>', 'driver_info entries', []).action(act(async (o: { driver: string; name?: string; driverInfo: string[] }, cmd: Command) => {
      const [c, g] = client(cmd);
      const di = Object.fromEntries(o.driverInfo.map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i), kv.slice(i + 1)]; }));
      show(await c.createNode({ driver: o.driver, ...(o.name ? { name: o.name } : {}), driver_info: di }), g.format);
    }));
  node.command('delete <node>').description('delete a node').action(act(async (id: string, _o: unknown, cmd: Command) => {
    const [c] = client(cmd);
    await c.deleteNode(id);
    console.log(`Deleted node ${id}`);
  }));
  for (const [verb, target, final] of VERBS) {
    node.command(`${verb} <node>`).description(`provision verb "${target}"`).option('--wait [seconds]', 'wait for the end state')
      .action(act(async (id: string, o: { wait?: string | boolean }, cmd: Command) => {
        const [c] = client(cmd);
        await c.setProvisionState(id, target);
        if (o.wait && final) {
          const secs = typeof o.wait === 'string' ? Number(o.wait) : 600;
          const n = await c.waitForState(id, final, { timeoutMs: secs * 1000 });
          console.log(`Node ${id} is ${n.provision_state}`);
        }
      }));
  }
  node.command('power <on|off|reboot> <node>').description('change power state').action(act(async (what: string, id: string, _o: unknown, cmd: Command) => {
    const [c] = client(cmd);
    const map: Record<string, string> = { on: 'power on', off: 'power off', reboot: 'rebooting' };
    if (!map[what]) throw new Error(`power takes on, off or reboot, not "${what}"`);
    await c.setPowerState(id, map[what]!);
  }));
  const port = program.command('port').description('ports').option('--url <url>').option('-f, --format <fmt>', 'table or json', 'table');
  port.command('list').option('--node <node>').action(act(async (o: { node?: string }, cmd: Command) => {
    const [c, g] = client(cmd);
    const q = o.node ? `?node=${encodeURIComponent(o.node)}&detail=True` : '?detail=True';
    print((await c.listPorts(q)).ports, ['uuid', 'address', 'node_uuid', 'pxe_enabled'], g.format);
  }));
  const driver = program.command('driver').description('drivers').option('--url <url>').option('-f, --format <fmt>', 'table or json', 'table');
  driver.command('list').action(act(async (_o: unknown, cmd: Command) => {
    const [c, g] = client(cmd);
    print((await c.call('GET', '/v1/drivers')).drivers, ['name', 'hosts'], g.format);
  }));
}
