/** No-op implementations: the `no-*` optional interfaces and `noop` management/network/storage. */
export { NoBios, NoConsole, NoInspect, NoRaid, NoRescue, NoVendor } from './no-interfaces.ts';
export { NoopManagement, NoopNetwork, NoopStorage } from './noop.ts';
export { unsupportedExtension } from './unsupported.ts';
