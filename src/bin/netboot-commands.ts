/**
 * Server-side verbs of network boot:
 * - `ingot dnsmasq`: write the dnsmasq configuration next to the files Ingot's dnsmasq
 *   DHCP provider maintains, place the boot loaders into the TFTP root, check the
 *   configuration (`dnsmasq --test`) and run dnsmasq in the foreground until stopped.
 *   Run it beside `ingot serve` with the same data dir / INGOT_* settings.
 * - `ingot ramdisk build`: the agent kernel + initramfs (ramdisk/build.ts).
 */
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Config } from '../config/config.ts';
import { runQuiet } from '../drivers/dhcp/dnsmasq.ts';
import { renderDnsmasqConf, startDnsmasq } from '../drivers/dhcp/dnsmasq-conf.ts';
import { placeLoaders } from '../drivers/pxe/loaders.ts';
import { dnsmasqPaths, httpUrlOf } from './netboot.ts';

type ConfigFrom = (opts: { port?: string; host?: string; db?: string; dataDir?: string }) => Config;

export function registerNetbootCommands(program: Command, configFrom: ConfigFrom): void {
  program.command('dnsmasq')
    .description('Run dnsmasq (Debian dnsmasq-base) as the DHCP/TFTP server of network boot, fed by Ingot\'s host files')
    .option('--data-dir <dir>', 'state directory shared with ingot serve (INGOT_DATA_DIR)')
    .option('--interface <if>', 'interface to serve (INGOT_DNSMASQ_INTERFACE)')
    .option('--dhcp-range <range>', 'first,last[,netmask][,lease time] (INGOT_DNSMASQ_DHCP_RANGE)')
    .option('--serve-unknown', 'also answer machines Ingot does not know (default: ignore them)')
    .option('--check', 'write and check the configuration, then exit')
    .action(async (opts) => {
      const config = configFrom(opts);
      const n = config.netboot;
      const iface = opts.interface ?? n.dnsmasqInterface;
      const range = opts.dhcpRange ?? n.dnsmasqDhcpRange;
      if (!iface || !range) throw new Error('ingot dnsmasq needs --interface and --dhcp-range (or INGOT_DNSMASQ_INTERFACE and INGOT_DNSMASQ_DHCP_RANGE)');
      const paths = dnsmasqPaths(config);
      for (const d of [n.dnsmasqDir, paths.hostsdir, paths.optsdir, n.tftpRoot]) await mkdir(d, { recursive: true });
      const loaders = await placeLoaders(n.tftpRoot, n.loaderFilePaths);
      console.log(`boot loaders in ${n.tftpRoot}: ${loaders.placed.join(', ') || 'none'}${loaders.missing.length ? `; not found: ${loaders.missing.join(', ')}` : ''}`);
      const httpUrl = httpUrlOf(config);
      await writeFile(paths.confFile, renderDnsmasqConf({
        paths, interface: iface, dhcpRange: range, tftpRoot: n.tftpRoot,
        ...(opts.serveUnknown ? { serveUnknown: { bios: n.ipxeBootfileName, uefi: n.uefiIpxeBootfileName, ipxe: `${httpUrl}/boot.ipxe` } } : {}),
      }));
      const test = await runQuiet([paths.binary ?? 'dnsmasq', '--test', '-C', paths.confFile], 10_000);
      if (test.code !== 0) throw new Error(`dnsmasq rejects ${paths.confFile}: ${test.out}`);
      console.log(`dnsmasq configuration ${paths.confFile}: ${test.out}`);
      if (opts.check) return;
      const proc = await startDnsmasq({ conf: paths.confFile, pidfile: paths.pidfile, binary: paths.binary, echo: true });
      console.log(`dnsmasq running (pid ${proc.child.pid}) on ${iface}, range ${range}`);
      const stop = async () => { await proc.stop(); process.exit(0); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      proc.child.once('close', (code) => { console.error(`dnsmasq exited (${code})`); process.exit(1); });
    });

  program.command('ramdisk')
    .description('The agent ramdisk (kernel + initramfs from Debian packages)')
    .command('build')
    .description('Build (or reuse) <data dir>/ramdisk/<hash>/{vmlinuz,initramfs.img}')
    .option('--data-dir <dir>', 'state directory (INGOT_DATA_DIR)')
    .option('--force', 'rebuild even when the inputs did not change')
    .action(async (opts) => {
      const { buildRamdisk } = await import('./ramdisk/build.ts');
      const config = configFrom(opts);
      const r = await buildRamdisk({ dataDir: config.dataDir, force: Boolean(opts.force), log: (l) => console.error(l) });
      console.log(JSON.stringify(r, null, 2));
    });
}
