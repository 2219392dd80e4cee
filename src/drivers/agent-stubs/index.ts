/** Placeholder (NOT IMPLEMENTED) implementations of agent/PXE/neutron based interfaces. */
export {
  PxeBootPlaceholder, AgentRaidPlaceholder, AgentInspectPlaceholder, FlatNetworkPlaceholder,
} from './placeholders.ts';
export { notImplementedMessage, type PlaceholderSpec } from './common.ts';
export { PXE_BOOT_PROPERTIES, DIRECT_DEPLOY_PROPERTIES } from './properties.ts';
