/** bin: the shared ipmitool objects built from the `[ipmi]`/`[console]` configuration. */
import type { IpmiConfig } from '../config/config.ts';
import { IpmiConsoles, Ipmitool } from '../drivers/ipmi/index.ts';

export function ipmiFromConfig(c: IpmiConfig, myIp = '127.0.0.1'): { ipmitool: Ipmitool; ipmiConsoles: IpmiConsoles } {
  const ipmitool = new Ipmitool({
    ipmitoolPath: c.ipmitoolPath, minCommandIntervalS: c.minCommandInterval, commandRetryTimeoutS: c.commandRetryTimeout,
    useIpmitoolRetries: c.useIpmitoolRetries, killOnTimeout: c.killOnTimeout, disableBootTimeout: c.disableBootTimeout,
    additionalRetryableErrors: c.additionalRetryableIpmiErrors, debug: c.debug, powerTimeoutS: c.powerStateChangeTimeout,
    softPowerTimeoutS: c.softPowerOffTimeout, defaultBootMode: c.defaultBootMode, ...(c.tempDir ? { tempDir: c.tempDir } : {}),
  });
  const ipmiConsoles = new IpmiConsoles(ipmitool, {
    socatAddress: c.socatAddress, terminal: c.terminal, terminalTimeoutS: c.terminalTimeout, subprocessTimeoutS: c.subprocessTimeout,
    myIp: myIp === '0.0.0.0' ? '127.0.0.1' : myIp,
    ...(c.consolePortRange ? { portRange: c.consolePortRange } : {}), ...(c.terminalCertDir ? { terminalCertDir: c.terminalCertDir } : {}),
  });
  return { ipmitool, ipmiConsoles };
}
