/**
 * The `fake` implementations of every interface kind (Ironic's drivers/modules/fake.py),
 * used by the fake-hardware type and by tests. Each constructor takes an optional delay
 * spec (Ironic's `[fake] <kind>_delay`: "a" or "a,b" seconds).
 */
export { FakePower } from './power.ts';
export { FakeManagement } from './management.ts';
export { FakeBoot, FakeDeploy, FakeInspect, FakeRescue, FakeConsole, FakeStorage } from './provisioning.ts';
export { FakeBios, FakeRaid } from './bios-raid.ts';
export { FakeVendor, FakeVendorA } from './vendor.ts';
export { FakeDelay } from './delay.ts';
export { validateRaidConfigSchema, raidLogicalDiskProperties, RAID_CONFIG_SCHEMA } from '../shared/raid-schema.ts';
export { pyRepr } from '../shared/py-repr.ts';
export type { BiosSettingsAccess, ExtendedDriverContext, VendorCallValidator, PlaceholderMarker } from '../shared/extensions.ts';
export { hasValidateCall, isPlaceholder } from '../shared/extensions.ts';
