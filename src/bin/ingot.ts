#!/usr/bin/env node
/**
 * `ingot`: the one entry point. Server verbs (serve, api, conductor, lab, agent) and
 * client verbs (node, port, driver, ...) share flags: --port, --host, --db, --data-dir,
 * each also readable from INGOT_* variables.
 */
import { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.ts';
// Verbs load what they need when they run (`await import`): `ingot agent` starts on every
// machine being deployed (16 at once in the lab) and must not load the whole service.
import { registerClientCommands } from '../cli/commands.ts';
import { registerNetbootCommands } from './netboot-commands.ts';
import { registerSplitCommands } from './split-commands.ts';

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

/** `8G`, `512M`, `1048576` → bytes (powers of 1024). */
function parseSize(v: string): number {
  const m = /^(\d+)([KMGT]?)i?B?$/i.exec(v.trim());
  if (!m) throw new Error(`--disk-size must be a size like 8G, 512M or a byte count, got "${v}"`);
  const n = Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase());
  if (!Number.isSafeInteger(n) || n < 1024 * 1024) throw new Error(`--disk-size must be at least 1M, got "${v}"`);
  return n;
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
    const { startService } = await import('./service.ts');
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
  .description('Emulated Redfish BMCs for N machines at http://HOST:PORT/redfish/v1 (user admin, password password); --ipmi adds IPMI BMCs')
  .option('--machines <n>', 'number of machines', '4')
  .option('--port <port>', 'Redfish port (INGOT_LAB_PORT)', process.env.INGOT_LAB_PORT ?? '8000')
  .option('--host <host>', 'listen address', process.env.INGOT_LAB_HOST ?? '127.0.0.1')
  .option('--profile <name>', 'generic, dmtf-rackmount, dmtf-tower, hpe-ilo5, ami-megarac, or a mockup folder', 'generic')
  .option('--tls-cert <pem>', 'serve HTTPS with this certificate')
  .option('--tls-key <pem>', 'and this key')
  .option('--user <user:password>', 'accepted credentials', 'admin:password')
  .option('--data-dir <dir>', 'folder of the machines\' disks, NVRAM and agent logs (default: a temporary folder removed at exit)')
  .option('--disk-size <size>', 'size of each machine\'s (sparse) disk: bytes or a K/M/G/T suffix', '8G')
  .option('--qemu', 'back the machines with QEMU processes (software emulation) on a lab network: a network namespace with bridge br0; the lab runs inside it')
  .option('--netns <name>', 'with --qemu: the namespace to create or reuse (default ingot-<random>-qemu, removed at exit)')
  .option('--prefix <a.b.c>', 'with --qemu: the lab network /24; br0 gets .1', '10.77.30')
  .option('--memory <MiB>', 'with --qemu: guest memory', '1024')
  .option('--uefi', 'with --qemu: UEFI firmware (Debian\'s OVMF) instead of SeaBIOS')
  .option('--ipmi', 'also an IPMI BMC per machine (pyghmi, UDP), driving the same machines')
  .option('--ipmi-port <base>', 'IPMI port of machine 0; machine i listens on BASE+i', '6230')
  .action(async (opts) => {
    const { startRedfishLab } = await import('../lab/redfish/index.ts');
    const diskSize = parseSize(String(opts.diskSize));
    const machines = Number(opts.machines);
    if (!Number.isInteger(machines) || machines < 1) throw new Error(`--machines must be a positive integer, got "${opts.machines}"`);
    const [user, ...pw] = String(opts.user).split(':');
    let qemu: import('../lab/redfish/lab.ts').RedfishLabOptions['qemu'];
    let host = opts.host;
    let dropDir: string | null = null;
    if (opts.qemu) {
      const { labNetworkUnavailable, reexecInNetns } = await import('../lab/qemu/netns.ts');
      const why = labNetworkUnavailable();
      if (why) throw new Error(`--qemu: ${why}`);
      // Outside the namespace this re-runs the same command inside it and never returns.
      const network = await reexecInNetns({ ns: opts.netns, prefix24: String(opts.prefix) });
      if (host === '127.0.0.1') host = network.serverIp;
      const { mkdtemp } = await import('node:fs/promises');
      const dataDir = opts.dataDir ?? (dropDir = await mkdtemp(`${(await import('node:os')).tmpdir()}/ingot-lab-qemu-`));
      const { DEBIAN_OVMF } = await import('../lab/qemu/hosts.ts');
      qemu = {
        network, dataDir, diskSizeBytes: process.argv.includes('--disk-size') ? diskSize : 4 * 1024 ** 3, memoryMb: Number(opts.memory),
        ...(opts.uefi ? { firmware: DEBIAN_OVMF } : {}),
      };
    }
    const lab = await startRedfishLab({
      machines, port: Number(opts.port), host, profile: opts.profile,
      users: { [user!]: pw.join(':') },
      ...(qemu ? { qemu } : { agents: { dataDir: opts.dataDir, diskSizeBytes: diskSize } }),
      ...(opts.tlsCert && opts.tlsKey ? { tls: { cert: opts.tlsCert, key: opts.tlsKey } } : {}),
    });
    console.log(`Redfish lab: ${machines} machine(s) at ${lab.url}/redfish/v1 (profile ${opts.profile})`);
    for (const m of lab.machines) console.log(`  ${m.id}  ${lab.url}/redfish/v1/Systems/${m.id}${qemu ? `  MAC ${m.nics[0]?.mac.toLowerCase()}` : ''}`);
    if (qemu) {
      const n = qemu.network;
      console.log(`Machines are QEMU processes (${opts.uefi ? 'UEFI' : 'BIOS'}, ${qemu.memoryMb} MiB, software emulation) on ${n.bridge} ${n.serverIp}/24 in network namespace ${n.ns};`);
      console.log(`files (disk0.img, serial.log, boot.iso) in ${qemu.dataDir}; status and serial tail: GET ${lab.url}/lab/machines/<id>/qemu`);
      console.log(`Run Ingot and dnsmasq in the namespace:\n  ip netns exec ${n.ns} env INGOT_HOST=${n.serverIp} INGOT_DHCP_PROVIDER=dnsmasq INGOT_TFTP_SERVER=${n.serverIp} ingot serve`);
      console.log(`  ip netns exec ${n.ns} ingot dnsmasq --interface ${n.bridge} --dhcp-range ${n.prefix24}.100,${n.prefix24}.150,1h`);
    } else {
      console.log(`Machines boot ingot agent from virtual media ISOs (the ISO's kernel and ramdisk are not executed); disks of ${diskSize} bytes in ${lab.hosts!.dataDir}`);
    }
    let ipmi: { close(): Promise<void> } | undefined;
    if (opts.ipmi) {
      const { startIpmiLab } = await import('../lab/ipmi/index.ts');
      const lanBase = Number(opts.ipmiPort);
      if (!Number.isInteger(lanBase) || lanBase < 0 || lanBase + machines > 65536) throw new Error(`--ipmi-port must be a UDP port, got "${opts.ipmiPort}"`);
      const bmcs = await startIpmiLab({ machines: lab.machines, basePort: lanBase, host: opts.host, users: { [user!]: pw.join(':') } });
      ipmi = bmcs;
      console.log(`IPMI lab: ${machines} BMC(s) (ipmitool -I lanplus -H ${opts.host} -p PORT -U ${user} -P …)`);
      for (const b of bmcs.bmcs) console.log(`  ${b.machineId}  ipmi_address=${b.host} ipmi_port=${b.port}`);
    }
    const stop = async () => {
      await ipmi?.close();
      await lab.close();
      if (dropDir) await (await import('node:fs/promises')).rm(dropDir, { recursive: true, force: true });
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program.command('agent')
  .description('The deploy agent (IPA protocol): looks this machine up by its MACs, heartbeats, serves commands on port 9999')
  .option('--api-url <url>', 'Ironic/Ingot API URL(s), comma separated (default: ipa-api-url from the kernel command line)')
  .option('--port <port>', 'command API port', '9999')
  .option('--host <host>', 'command API listen address', '0.0.0.0')
  .option('--advertise-host <host>', 'host put in the callback URL sent with heartbeats')
  .option('--lab-machine <file>', 'lab machine description (AgentMachine JSON) instead of reading Linux')
  .option('--lookup-timeout <s>', 'give up when lookup has not succeeded after this long (IPA lookup_timeout)', '600')
  .option('--tmp-dir <dir>', 'where non-streamed images are downloaded before conversion')
  .option('--auto-tls', 'serve HTTPS with a self-signed certificate sent as agent_verify_ca (IPA enable_auto_tls)')
  .option('--inspection-callback-url <url>', 'post inspection data here before lookup (default: ipa-inspection-callback-url from the kernel command line)')
  .option('--print-inventory', 'print the hardware inventory (IPA format) and exit')
  .action(async (opts) => {
    const { startAgent, LabMachine, LinuxMachine, loadAgentMachine } = await import('../agent/index.ts');
    const env = process.env;
    const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));
    const machine = opts.labMachine ? new LabMachine(await loadAgentMachine(opts.labMachine)) : new LinuxMachine();
    if (opts.printInventory) { console.log(JSON.stringify(await machine.inventory(), null, 2)); return; }
    const agent = await startAgent({
      machine,
      apiUrls: opts.apiUrl ? String(opts.apiUrl).split(',').map((u: string) => u.trim()).filter(Boolean) : [],
      host: opts.host, port: Number(opts.port), advertiseHost: opts.advertiseHost,
      lookupTimeout: Number(opts.lookupTimeout), tmpDir: opts.tmpDir, autoTls: Boolean(opts.autoTls),
      inspectionCallbackUrl: opts.inspectionCallbackUrl, inspectionRetryWait: num(env.INGOT_AGENT_INSPECTION_RETRY_WAIT, 5),
      // IPA's option names: image_download_connection_{retries,retry_interval,timeout}.
      download: {
        retries: num(env.INGOT_IMAGE_DOWNLOAD_CONNECTION_RETRIES, 2),
        retryInterval: num(env.INGOT_IMAGE_DOWNLOAD_CONNECTION_RETRY_INTERVAL, 5),
        timeout: num(env.INGOT_IMAGE_DOWNLOAD_CONNECTION_TIMEOUT, 60),
      },
      onShutdown: () => process.exit(0),
    });
    agent.ready.catch((err: Error) => { console.error(`ingot agent: ${err.message}`); process.exit(1); });
    const stop = async () => { await agent.close(); process.exit(0); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

registerNetbootCommands(program, configFrom);
registerSplitCommands(program, configFrom);
registerClientCommands(program);

program.parseAsync(process.argv).catch((err) => {
  console.error(`ingot: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
