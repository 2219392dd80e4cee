/**
 * Composition of the network boot parts from the configuration: the DHCP provider and the
 * settings of the `pxe`/`ipxe` boot interfaces (used by service.ts), and the dnsmasq
 * paths `ingot dnsmasq` shares with the provider.
 */
import type { Config } from '../config/config.ts';
import { DnsmasqDhcp, type DnsmasqPaths } from '../drivers/dhcp/dnsmasq.ts';
import { NoDhcp, type DhcpProvider } from '../drivers/dhcp/provider.ts';
import { pxeSettings, type PxeSettings } from '../drivers/pxe/index.ts';
import { join } from 'node:path';

/** The files dnsmasq and Ingot share. */
export function dnsmasqPaths(config: Config): Required<Omit<DnsmasqPaths, 'binary'>> & Pick<DnsmasqPaths, 'binary'> {
  const n = config.netboot;
  return {
    hostsdir: n.dhcpHostsdir, optsdir: n.dhcpOptsdir, leasefile: n.dhcpLeasefile,
    pidfile: join(n.dnsmasqDir, 'dnsmasq.pid'), confFile: join(n.dnsmasqDir, 'dnsmasq.conf'), binary: n.dnsmasqBinary,
  };
}

export function dhcpProvider(config: Config): DhcpProvider {
  return config.netboot.dhcpProvider === 'none' ? new NoDhcp() : new DnsmasqDhcp(dnsmasqPaths(config));
}

/** `[deploy] http_url`: configured, else the file server's address when its port is fixed, else '' (unknown). */
export function httpUrlOf(config: Config): string {
  if (config.httpUrl) return config.httpUrl;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return config.httpPort ? `http://${host.includes(':') ? `[${host}]` : host}:${config.httpPort}` : '';
}

export function netbootSettings(config: Config, httpUrl: () => string = () => httpUrlOf(config)): PxeSettings {
  const n = config.netboot;
  return pxeSettings({
    tftpRoot: n.tftpRoot, httpRoot: config.httpRoot, httpUrl, apiUrl: () => config.apiUrl, tftpServer: n.tftpServer,
    kernelAppendParams: n.kernelAppendParams, pxeBootfileName: n.pxeBootfileName, uefiPxeBootfileName: n.uefiPxeBootfileName,
    ipxeBootfileName: n.ipxeBootfileName, uefiIpxeBootfileName: n.uefiIpxeBootfileName, ipxeFallbackScript: n.ipxeFallbackScript,
    ipxeTimeout: n.ipxeTimeout, enableNetbootFallback: n.enableNetbootFallback, defaultBootMode: n.defaultBootMode,
    debug: config.logLevel === 'debug', automatedClean: config.automatedClean, conductorImages: n.conductorImages,
    dhcp: dhcpProvider(config),
  });
}
