/**
 * ONE driver conformance suite, run against every hardware type's composed driver
 * (fake-hardware in src/drivers/fake/conformance.test.ts; redfish later).
 *
 * `runDriverConformance()` registers node:test tests under `describe(opts.name)`.
 * Contracts:
 * - Driver-agnostic: every assertion goes through the driver. With `statefulPower: true`
 *   (a BMC holds the state) power is read back from the driver after each change; with
 *   `statefulPower: false` (fake: the power state IS the node record, which the conductor
 *   persists) it is read back from a context whose node record holds the expected state.
 * - Skips: `opts.skip` maps a test name (see CONFORMANCE_TESTS) to a REQUIRED reason;
 *   unknown names or empty reasons throw at registration. A skip is reported through
 *   node:test's skip(reason). Tests of capabilities a driver lacks (an optional method, a
 *   `no-*` or placeholder implementation) skip themselves, naming the reason.
 * - `makeDriver()` runs once before the tests, `cleanup()` once after them.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { IngotError } from '../core/errors.ts';
import type { InterfaceKind, Json, Node } from '../core/node.ts';
import { INTERFACE_KINDS } from '../core/node.ts';
import type { BiosSetting, ComposedDriver, DriverContext, DriverInterface, DriverLogger, DriverPort } from '../drivers/base.ts';
import { isPlaceholder, type ExtendedDriverContext } from '../drivers/shared/extensions.ts';
import { API_SAMPLES_DIR } from './shared-data.ts';
import { join } from 'node:path';

export interface ConformanceHarness {
  driver: ComposedDriver;
  /** A fresh context for the node under test; overrides replace node fields. */
  ctx: (nodeOverrides?: Partial<Node>) => DriverContext;
  cleanup(): Promise<void>;
}

export interface DriverConformanceOptions {
  name: string;
  makeDriver: () => Promise<ConformanceHarness>;
  /** True when the driver itself holds the power state (BMC); false when it is the node record (fake). */
  statefulPower: boolean;
  /** Test name -> reason (required, non-empty). */
  skip?: { [test: string]: string };
}

/** Names of the suite's tests (the keys `skip` accepts). */
export const CONFORMANCE_TESTS = [
  'interfaces: properties are string descriptions',
  'interfaces: supported implementations validate the node',
  'power: supported states',
  'power: set on and off',
  'power: reboot',
  'power: rejects an unknown target',
  'management: supported boot devices',
  'management: set and get boot device',
  'management: rejects an unsupported boot device',
  'management: boot mode',
  'management: indicators',
  'inspect: returns an outcome',
  'bios: cacheSettings shape',
  'raid: accepts a valid config',
  'raid: rejects invalid configs',
  'raid: logical disk properties',
  'boot: prepare and clean up ramdisk',
  'boot: prepare and clean up instance',
] as const;
export type ConformanceTest = (typeof CONFORMANCE_TESTS)[number];

const BOOT_DEVICES = ['pxe', 'disk', 'cdrom', 'bios', 'safe', 'wanboot', 'iscsiboot', 'floppy'];
const POWER_STATES = ['power on', 'power off', 'rebooting', 'soft rebooting', 'soft power off'];
const RAID_SAMPLE = join(API_SAMPLES_DIR, 'node-set-raid-request.json');
/** Same content as RAID_SAMPLE, used only when that file is absent. */
const RAID_SAMPLE_COPY: Json = { logical_disks: [{ size_gb: 100, is_root_volume: true, raid_level: '1' }] };
const INVALID_RAID: readonly [string, Json][] = [
  ['no logical_disks', {}],
  ['empty logical_disks', { logical_disks: [] }],
  ['missing raid_level', { logical_disks: [{ size_gb: 100 }] }],
  ['unknown raid_level', { logical_disks: [{ size_gb: 100, raid_level: '7' }] }],
  ['negative size_gb', { logical_disks: [{ size_gb: -1, raid_level: '1' }] }],
  ['unknown property', { logical_disks: [{ size_gb: 100, raid_level: '1', colour: 'red' }] }],
  ['two root volumes', { logical_disks: [{ size_gb: 1, raid_level: '1', is_root_volume: true }, { size_gb: 2, raid_level: '0', is_root_volume: true }] }],
];

const silentLogger: DriverLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** A complete node record with neutral defaults (fake-hardware, enroll, never powered). */
export function makeTestNode(overrides: Partial<Node> = {}): Node {
  const node: Node = {
    id: 1, uuid: randomUUID(), name: null, driver: 'fake-hardware', driver_info: {}, driver_internal_info: {},
    extra: {}, instance_info: {}, instance_uuid: null, chassis_id: null, console_enabled: false, last_error: null,
    maintenance: false, maintenance_reason: null, fault: null, power_state: null, target_power_state: null,
    provision_state: 'enroll', target_provision_state: null, provision_updated_at: null, properties: {},
    reservation: null, inspection_started_at: null, inspection_finished_at: null, clean_step: {}, deploy_step: {},
    raid_config: {}, target_raid_config: {}, resource_class: null, bios_interface: null, boot_interface: null,
    console_interface: null, deploy_interface: null, inspect_interface: null, management_interface: null,
    network_interface: null, power_interface: null, raid_interface: null, rescue_interface: null,
    storage_interface: null, vendor_interface: null, conductor_group: '', conductor_affinity: null,
    automated_clean: null, protected: false, protected_reason: null, owner: null, lessee: null, description: null,
    allocation_id: null, retired: false, retired_reason: null, network_data: {}, boot_mode: null, secure_boot: null,
    shard: null, traits: [], created_at: new Date(0).toISOString(), updated_at: null,
  };
  return { ...node, ...overrides };
}

/** A context that records what the driver asks the conductor to persist. */
export interface RecordingContext extends ExtendedDriverContext {
  /** Merged values passed to setInternalInfo. */
  readonly internalInfo: Json;
  /** Every list passed to replaceBiosSettings, in order. */
  readonly biosWrites: BiosSetting[][];
}

export function makeTestContext(opts: {
  node?: Node; ports?: DriverPort[]; signal?: AbortSignal; logger?: DriverLogger; biosSettings?: BiosSetting[];
  /** The node's composed driver, as the conductor gives every context. */
  driver?: ComposedDriver;
} = {}): RecordingContext {
  const internalInfo: Json = {};
  const biosWrites: BiosSetting[][] = [];
  const bios = opts.biosSettings;
  return {
    node: opts.node ?? makeTestNode(),
    loadPorts: async () => opts.ports ?? [],
    logger: opts.logger ?? silentLogger,
    signal: opts.signal ?? new AbortController().signal,
    setInternalInfo(values: Json) { Object.assign(internalInfo, values); },
    ...(bios ? { loadBiosSettings: async () => bios } : {}),
    ...(opts.driver ? { driver: opts.driver } : {}),
    replaceBiosSettings(settings: BiosSetting[]) { biosWrites.push(settings); },
    internalInfo,
    biosWrites,
  };
}

/** Why an interface cannot be exercised (no-op or placeholder), or undefined. */
function unusable(kind: InterfaceKind, impl: DriverInterface): string | undefined {
  if (impl.supported === false) return `${kind} interface '${impl.name}' is a no-op (supported=false)`;
  if (isPlaceholder(impl)) return `${kind} interface '${impl.name}' is a placeholder (not implemented)`;
  return undefined;
}

async function assertInvalid(p: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IngotError, `${what}: expected an IngotError, got ${String(e)}`);
    assert.equal(e.code, 'Invalid', `${what}: expected code Invalid, got ${e.code}: ${e.message}`);
    return true;
  }, what);
}

function isStrOrNull(v: unknown): boolean { return v === null || typeof v === 'string'; }

export function runDriverConformance(opts: DriverConformanceOptions): void {
  const skips = opts.skip ?? {};
  for (const [test, reason] of Object.entries(skips)) {
    if (!(CONFORMANCE_TESTS as readonly string[]).includes(test)) {
      throw new Error(`runDriverConformance(${opts.name}): unknown test '${test}' in skip; known: ${CONFORMANCE_TESTS.join(', ')}`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new Error(`runDriverConformance(${opts.name}): skipping '${test}' needs a reason`);
    }
  }

  describe(`driver conformance: ${opts.name}`, () => {
    let h: ConformanceHarness;
    before(async () => { h = await opts.makeDriver(); });
    after(async () => { await h?.cleanup(); });

    const test = (name: ConformanceTest, fn: (t: TestContext) => Promise<void>): void => {
      const reason = Object.hasOwn(skips, name) ? skips[name] : undefined;
      if (reason !== undefined) it(name, { skip: reason }, () => {});
      else it(name, fn);
    };
    /** Run fn with the interface of `kind`, or skip naming why it is unusable. */
    const using = <K extends InterfaceKind>(t: TestContext, kind: K): ComposedDriver[K] | undefined => {
      const why = unusable(kind, h.driver[kind]);
      if (why) { t.skip(why); return undefined; }
      return h.driver[kind];
    };
    const powerIs = async (expected: string): Promise<void> => {
      const ctx = opts.statefulPower ? h.ctx() : h.ctx({ power_state: expected });
      assert.equal(await h.driver.power.getPowerState(ctx), expected);
    };

    test('interfaces: properties are string descriptions', async () => {
      for (const kind of INTERFACE_KINDS) {
        const props = h.driver[kind].properties();
        for (const [k, v] of Object.entries(props)) assert.equal(typeof v, 'string', `${kind}.properties().${k}`);
        assert.equal(typeof h.driver[kind].name, 'string');
      }
    });

    test('interfaces: supported implementations validate the node', async (t) => {
      for (const kind of INTERFACE_KINDS) {
        // A deploy interface validates the node's boot interface too (Ironic's deploy
        // validate does): with a placeholder boot it cannot pass, so it is not checked.
        const why = unusable(kind, h.driver[kind]) ?? (kind === 'deploy' ? unusable('boot', h.driver.boot) : undefined);
        if (why) { t.diagnostic(`not validated: ${why}`); continue; }
        await h.driver[kind].validate(h.ctx());
      }
    });

    test('power: supported states', async (t) => {
      const power = using(t, 'power'); if (!power) return;
      const states = await power.getSupportedPowerStates(h.ctx());
      assert.ok(Array.isArray(states) && states.length > 0);
      for (const s of states) assert.ok(POWER_STATES.includes(s), `unknown power state ${s}`);
      assert.ok(states.includes('power on') && states.includes('power off'), 'power on/off must be supported');
    });

    test('power: set on and off', async (t) => {
      const power = using(t, 'power'); if (!power) return;
      await power.setPowerState(h.ctx({ power_state: 'power off' }), 'power on');
      await powerIs('power on');
      await power.setPowerState(h.ctx({ power_state: 'power on' }), 'power off');
      await powerIs('power off');
    });

    test('power: reboot', async (t) => {
      const power = using(t, 'power'); if (!power) return;
      await power.setPowerState(h.ctx({ power_state: 'power off' }), 'power on');
      await power.reboot(h.ctx({ power_state: 'power on' }), false);
      await powerIs('power on');
      if ((await power.getSupportedPowerStates(h.ctx())).includes('soft rebooting')) {
        await power.reboot(h.ctx({ power_state: 'power on' }), true);
        await powerIs('power on');
      } else t.diagnostic('soft reboot not supported: not exercised');
    });

    test('power: rejects an unknown target', async (t) => {
      const power = using(t, 'power'); if (!power) return;
      await assertInvalid(power.setPowerState(h.ctx(), 'power sideways'), 'setPowerState(power sideways)');
    });

    test('management: supported boot devices', async (t) => {
      const mgmt = using(t, 'management'); if (!mgmt) return;
      const devices = await mgmt.getSupportedBootDevices(h.ctx());
      assert.ok(Array.isArray(devices) && devices.length > 0);
      for (const d of devices) assert.ok(BOOT_DEVICES.includes(d), `unknown boot device ${d}`);
    });

    test('management: set and get boot device', async (t) => {
      const mgmt = using(t, 'management'); if (!mgmt) return;
      for (const device of await mgmt.getSupportedBootDevices(h.ctx())) {
        await mgmt.setBootDevice(h.ctx(), device, false);
        const got = await mgmt.getBootDevice(h.ctx());
        assert.equal(got.boot_device, device, `boot device after setting ${device}`);
        assert.ok(got.persistent === null || typeof got.persistent === 'boolean');
      }
    });

    test('management: rejects an unsupported boot device', async (t) => {
      const mgmt = using(t, 'management'); if (!mgmt) return;
      const supported = await mgmt.getSupportedBootDevices(h.ctx());
      const other = BOOT_DEVICES.find((d) => !supported.includes(d));
      if (!other) { t.skip('every known boot device is supported'); return; }
      await assertInvalid(mgmt.setBootDevice(h.ctx(), other, false), `setBootDevice(${other})`);
    });

    test('management: boot mode', async (t) => {
      const mgmt = using(t, 'management'); if (!mgmt) return;
      if (!mgmt.getBootMode) { t.skip(`management interface '${mgmt.name}' offers no boot mode`); return; }
      const mode = await mgmt.getBootMode(h.ctx());
      assert.ok(mode === null || mode === 'uefi' || mode === 'bios', `boot mode ${String(mode)}`);
      if (mgmt.setBootMode) {
        const target = mode ?? 'uefi';
        await mgmt.setBootMode(h.ctx(), target);
        assert.equal(await mgmt.getBootMode(h.ctx()), target);
      }
    });

    test('management: indicators', async (t) => {
      const mgmt = using(t, 'management'); if (!mgmt) return;
      if (!mgmt.getIndicators) { t.skip(`management interface '${mgmt.name}' offers no indicators`); return; }
      const all = await mgmt.getIndicators(h.ctx());
      for (const [component, inds] of Object.entries(all)) {
        for (const [name, ind] of Object.entries(inds)) {
          assert.equal(typeof ind.readonly, 'boolean');
          assert.ok(Array.isArray(ind.states) && ind.states.length > 0);
          if (mgmt.getIndicatorState) {
            const state = await mgmt.getIndicatorState(h.ctx(), component, name);
            assert.ok([...ind.states, 'unknown'].includes(state), `${name}@${component} state ${state}`);
          }
        }
      }
    });

    test('inspect: returns an outcome', async (t) => {
      const inspect = using(t, 'inspect'); if (!inspect) return;
      const r = await inspect.inspect(h.ctx());
      assert.ok(r.outcome === 'done' || r.outcome === 'wait', `outcome ${String(r.outcome)}`);
      if (r.properties !== undefined) assert.ok(typeof r.properties === 'object' && r.properties !== null && !Array.isArray(r.properties));
      if (r.inventory !== undefined) assert.ok(typeof r.inventory === 'object' && r.inventory !== null);
      if (r.macs !== undefined) {
        assert.ok(Array.isArray(r.macs));
        for (const m of r.macs) {
          assert.match(m.address, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i);
          assert.ok(m.pxe === undefined || typeof m.pxe === 'boolean');
        }
      }
    });

    test('bios: cacheSettings shape', async (t) => {
      const bios = using(t, 'bios'); if (!bios) return;
      const settings = await bios.cacheSettings(h.ctx());
      assert.ok(Array.isArray(settings));
      for (const s of settings) {
        assert.ok(typeof s.name === 'string' && s.name !== '', 'setting name');
        assert.ok(isStrOrNull(s.value), `${s.name}: value`);
        assert.ok(s.attribute_type == null || typeof s.attribute_type === 'string', `${s.name}: attribute_type`);
        assert.ok(s.allowable_values == null || (Array.isArray(s.allowable_values) && s.allowable_values.every((v) => typeof v === 'string')));
        for (const k of ['lower_bound', 'upper_bound', 'min_length', 'max_length'] as const) assert.ok(s[k] == null || typeof s[k] === 'number', `${s.name}: ${k}`);
        for (const k of ['read_only', 'reset_required', 'unique'] as const) assert.ok(s[k] == null || typeof s[k] === 'boolean', `${s.name}: ${k}`);
      }
    });

    test('raid: accepts a valid config', async (t) => {
      const raid = using(t, 'raid'); if (!raid) return;
      let sample = RAID_SAMPLE_COPY;
      try { sample = JSON.parse(await readFile(RAID_SAMPLE, 'utf8')) as Json; } catch { t.diagnostic(`${RAID_SAMPLE} unreadable: using the embedded copy`); }
      await raid.validateRaidConfig(h.ctx(), sample);
      await raid.validate(h.ctx({ target_raid_config: sample }));
    });

    test('raid: rejects invalid configs', async (t) => {
      const raid = using(t, 'raid'); if (!raid) return;
      for (const [what, config] of INVALID_RAID) await assertInvalid(raid.validateRaidConfig(h.ctx(), config), what);
    });

    test('raid: logical disk properties', async () => {
      const props = h.driver.raid.logicalDiskProperties();
      for (const k of ['raid_level', 'size_gb']) assert.equal(typeof props[k], 'string', k);
    });

    test('boot: prepare and clean up ramdisk', async (t) => {
      const boot = using(t, 'boot'); if (!boot) return;
      for (const purpose of ['deploy', 'clean', 'inspect', 'rescue'] as const) {
        await boot.prepareRamdisk(h.ctx(), purpose);
        await boot.cleanUpRamdisk(h.ctx());
      }
    });

    test('boot: prepare and clean up instance', async (t) => {
      const boot = using(t, 'boot'); if (!boot) return;
      await boot.prepareInstance(h.ctx());
      await boot.cleanUpInstance(h.ctx());
    });
  });
}
