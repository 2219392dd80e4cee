/** The `pxe` and `ipxe` boot interfaces and their boot-file renderer. */
export { PxeBoot } from './boot.ts';
export { pxeSettings, type PxeSettings } from './settings.ts';
export { renderBootIpxe, renderGrubConfig, renderInitialGrubCfg, renderIpxeConfig, renderPxeConfig, type PxeOptions } from './render.ts';
export { bootFileName } from './options.ts';
