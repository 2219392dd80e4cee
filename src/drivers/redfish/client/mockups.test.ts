/**
 * Walks every mockup tree under /work/shared/data/redfish-mockups through a tiny server that maps
 * URL paths to index.json files case-insensitively (like the captured BMCs), and checks values
 * read by hand from the files.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  RedfishClient, findSystem, getAttributeRegistry, getBios, getDrives, getEthernetInterfaces, getManagers, getMemory,
  getProcessors, getResetTypes, getSecureBoot, getServiceRoot, getSessionService, getSimpleStorage, getStorage,
  getTaskService, getVolumes, installedCpus, listSystemUris, listTasks, listVirtualMedia, pickVirtualMedia,
  totalMemoryMiB, type ComputerSystem,
} from './index.ts';
import { MOCKUPS_DIR, serveMockup, type TestServer } from './test-support.ts';

interface Expect {
  systemUri: string;
  systemCount: number;
  powerState: string;
  uuid: string;
  boot: { target: string; enabled: string; mode: string; allowedTargetsHas: string; allowedTargetsLen: number };
  resetTypes: string[];
  processors: number;
  installedCpus: number;
  cpuModel: string;
  cpuCores: number;
  memoryModules: number;
  memoryMiB: number;
  summaryGiB: number;
  macs: string[];
  simpleStorageDevices: number;
  storages: number;
  drives: number;
  volumes: number;
  biosAttrs: number;
  biosSample: [string, unknown];
  biosRegistry: string;
  registryAttrs: number | undefined;
  secureBootEnabled: boolean;
  secureBootMode: string;
  managers: number;
  firmware: string;
  virtualMedia: string[];
  cdUri: string;
  tasks: number;
  sessionTimeout: number | undefined;
}

const EXPECT: Record<string, Expect> = {
  'dmtf-public-rackmount1': {
    systemUri: '/redfish/v1/Systems/437XR1138R2', systemCount: 1, powerState: 'On',
    uuid: '38947555-7742-3448-3784-823347823834',
    boot: { target: 'Pxe', enabled: 'Once', mode: 'UEFI', allowedTargetsHas: 'UefiTarget', allowedTargetsLen: 10 },
    resetTypes: ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn', 'PushPowerButton'],
    processors: 3, installedCpus: 1, cpuModel: 'Multi-Core Intel(R) Xeon(R) processor 7xxx Series', cpuCores: 8,
    memoryModules: 4, memoryMiB: 98304, summaryGiB: 96,
    macs: ['12:44:6a:3b:04:11', 'aa:bb:cc:dd:ee:00', '12:44:6a:3b:04:11', 'aa:bb:cc:dd:ee:fe'],
    simpleStorageDevices: 4, storages: 0, drives: 0, volumes: 0,
    biosAttrs: 10, biosSample: ['BootMode', 'Uefi'], biosRegistry: 'BiosAttributeRegistryP89.v1_0_0', registryAttrs: undefined,
    secureBootEnabled: false, secureBootMode: 'UserMode',
    managers: 1, firmware: '1.45.455b66-rev4',
    virtualMedia: ['/redfish/v1/Systems/437XR1138R2/VirtualMedia/Floppy1', '/redfish/v1/Systems/437XR1138R2/VirtualMedia/CD1',
      '/redfish/v1/Systems/437XR1138R2/VirtualMedia/CD2'],
    cdUri: '/redfish/v1/Systems/437XR1138R2/VirtualMedia/CD1', tasks: 2, sessionTimeout: 30,
  },
  'dmtf-public-tower': {
    systemUri: '/redfish/v1/Systems/437XR1238R2', systemCount: 1, powerState: 'On',
    uuid: '38947555-7742-3448-3784-823347823834',
    boot: { target: 'Hdd', enabled: 'Disabled', mode: 'UEFI', allowedTargetsHas: 'Pxe', allowedTargetsLen: 10 },
    resetTypes: ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn', 'PushPowerButton'],
    processors: 10, installedCpus: 8, cpuModel: 'Intel(R) Xeon(R) Gold 5218 2.3GHz', cpuCores: 16,
    memoryModules: 16, memoryMiB: 8 * 131072, summaryGiB: 1024,
    macs: ['fb:aa:1d:4e:d0:7a', 'fb:aa:1d:4e:d0:7c'],
    // HAFiberChannel links the same Volumes collection as NVMeSecondary: 5 distinct volumes.
    simpleStorageDevices: 0, storages: 4, drives: 18, volumes: 5,
    biosAttrs: 10, biosSample: ['BootMode', 'Uefi'], biosRegistry: 'BiosAttributeRegistryP89.v1_0_0', registryAttrs: undefined,
    secureBootEnabled: false, secureBootMode: 'UserMode',
    managers: 1, firmware: '1.45.455b66-rev4',
    virtualMedia: ['/redfish/v1/Managers/BMC/VirtualMedia/Floppy1', '/redfish/v1/Managers/BMC/VirtualMedia/CD1'],
    cdUri: '/redfish/v1/Managers/BMC/VirtualMedia/CD1', tasks: 1, sessionTimeout: 30,
  },
  'hpe-proliant-dl325-gen10plus-ilo5': {
    systemUri: '/redfish/v1/Systems/1', systemCount: 1, powerState: 'On',
    uuid: '36383150-3630-584D-5130-313930323042',
    boot: { target: 'None', enabled: 'Disabled', mode: 'UEFI', allowedTargetsHas: 'UefiHttp', allowedTargetsLen: 12 },
    resetTypes: ['On', 'ForceOff', 'GracefulShutdown', 'ForceRestart', 'Nmi', 'PushPowerButton', 'GracefulRestart'],
    processors: 1, installedCpus: 1, cpuModel: 'AMD EPYC 7302P 16-Core Processor', cpuCores: 16,
    memoryModules: 16, memoryMiB: 4 * 16384, summaryGiB: 64,
    macs: ['94:40:c9:5c:86:bc', '94:40:c9:5c:86:bd', '14:02:ec:d9:3a:a0', '14:02:ec:d9:3a:a1'],
    simpleStorageDevices: 0, storages: 0, drives: 0, volumes: 0,
    biosAttrs: 236, biosSample: ['WorkloadProfile', 'GeneralPowerEfficientCompute'],
    biosRegistry: 'BiosAttributeRegistryA43.v1_2_52', registryAttrs: 339,
    secureBootEnabled: false, secureBootMode: 'UserMode',
    managers: 1, firmware: 'iLO 5 v2.46',
    virtualMedia: ['/redfish/v1/Managers/1/VirtualMedia/1', '/redfish/v1/Managers/1/VirtualMedia/2'],
    cdUri: '/redfish/v1/Managers/1/VirtualMedia/2', tasks: 0, sessionTimeout: undefined,
  },
  'gigabyte-ami-megarac': {
    // Systems/Capabilities is only named in @Redfish.CollectionCapabilities, not in Members.
    systemUri: '/redfish/v1/Systems/Self', systemCount: 1, powerState: 'On',
    uuid: 'e9184000-7983-11ec-8000-b42e99bade15',
    boot: { target: 'None', enabled: 'Disabled', mode: 'Legacy', allowedTargetsHas: 'RemoteDrive', allowedTargetsLen: 14 },
    resetTypes: ['GracefulShutdown', 'ForceRestart', 'ForceOff', 'On'],
    processors: 2, installedCpus: 2, cpuModel: 'AMD EPYC 7702 64-Core Processor', cpuCores: 64,
    memoryModules: 16, memoryMiB: 16 * 15625, summaryGiB: 244,
    macs: ['b4:2e:99:ba:de:16', 'b4:2e:99:ba:de:16', 'b4:2e:99:ba:de:15'],
    simpleStorageDevices: 1, storages: 1, drives: 1, volumes: 0,
    biosAttrs: 550, biosSample: ['FBO001', 'UEFI'], biosRegistry: 'BiosAttributeRegistry', registryAttrs: 549,
    secureBootEnabled: false, secureBootMode: 'SetupMode',
    managers: 1, firmware: '12.84.13',
    virtualMedia: ['/redfish/v1/Managers/Self/VirtualMedia/CD1'],
    cdUri: '/redfish/v1/Managers/Self/VirtualMedia/CD1', tasks: 15, sessionTimeout: 30,
  },
};

const available = existsSync(MOCKUPS_DIR)
  ? readdirSync(MOCKUPS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  : [];

it('has expectations for every mockup tree on disk', { skip: available.length === 0 && 'no mockups on this machine' }, () => {
  assert.deepEqual(available, Object.keys(EXPECT).sort());
});

for (const name of available) {
  const want = EXPECT[name];
  describe(`mockup ${name}`, { skip: !want && 'no expectations written for this tree' }, () => {
    let server: TestServer;
    let client: RedfishClient;
    let system: ComputerSystem;
    const w = want!;

    before(async () => {
      server = await serveMockup(join(MOCKUPS_DIR, name));
      client = new RedfishClient({ address: server.url, retries: 0, timeoutMs: 10_000 });
      system = await findSystem(client);
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    it('discovers the service root and the system', async () => {
      const root = await getServiceRoot(client);
      assert.equal(root.links.systems, '/redfish/v1/Systems');
      assert.ok(root.links.taskService, 'Tasks link');
      assert.equal((await listSystemUris(client)).length, w.systemCount);
      assert.equal(system.uri, w.systemUri);
      assert.equal(system.powerState, w.powerState);
      assert.equal(system.uuid, w.uuid);
      assert.equal(system.memorySummary.totalGiB, w.summaryGiB);
    });

    it('reads boot override settings and allowable values', async () => {
      assert.equal(system.boot.target, w.boot.target);
      assert.equal(system.boot.enabled, w.boot.enabled);
      assert.equal(system.boot.mode, w.boot.mode);
      assert.ok(system.boot.allowedTargets?.includes(w.boot.allowedTargetsHas));
      assert.equal(system.boot.allowedTargets?.length, w.boot.allowedTargetsLen);
    });

    it('finds the reset action and its allowed types (inline or ActionInfo)', async () => {
      assert.ok(system.reset?.target.endsWith('/Actions/ComputerSystem.Reset'));
      assert.deepEqual(await getResetTypes(client, system), w.resetTypes);
    });

    it('reads processors', async () => {
      const procs = await getProcessors(client, system);
      assert.equal(procs.length, w.processors);
      const cpus = installedCpus(procs);
      assert.equal(cpus.length, w.installedCpus);
      assert.equal(cpus[0]!.model, w.cpuModel);
      assert.equal(cpus[0]!.totalCores, w.cpuCores);
      assert.equal(cpus[0]!.architecture, 'x86');
    });

    it('reads memory modules', async () => {
      const mem = await getMemory(client, system);
      assert.equal(mem.length, w.memoryModules);
      assert.equal(totalMemoryMiB(mem), w.memoryMiB);
    });

    it('reads Ethernet interfaces and their MACs', async () => {
      const nics = await getEthernetInterfaces(client, system);
      const macs = nics.map((n) => n.macAddress).filter((m) => m !== undefined);
      // Order follows the collection; compare as multisets to stay independent of it.
      assert.deepEqual([...macs].sort(), [...w.macs].sort());
    });

    it('reads simple storage, storage, drives and volumes', async () => {
      const simple = await getSimpleStorage(client, system);
      assert.equal(simple.reduce((n, s) => n + s.devices.length, 0), w.simpleStorageDevices);
      const storages = await getStorage(client, system);
      assert.equal(storages.length, w.storages);
      let drives = 0;
      const volumes = new Set<string>();
      for (const s of storages) {
        drives += (await getDrives(client, s)).length;
        for (const v of await getVolumes(client, s)) volumes.add(v.uri);
      }
      assert.equal(drives, w.drives);
      assert.equal(volumes.size, w.volumes);
    });

    it('reads BIOS attributes and, where published, the attribute registry', async () => {
      const bios = await getBios(client, system);
      assert.ok(bios);
      assert.equal(Object.keys(bios.attributes).length, w.biosAttrs);
      assert.equal(bios.attributes[w.biosSample[0]], w.biosSample[1]);
      assert.equal(bios.attributeRegistry, w.biosRegistry);
      assert.ok(bios.resetTarget?.includes('Bios.ResetBios'));
      const registry = await getAttributeRegistry(client, bios);
      assert.equal(registry?.attributes.size, w.registryAttrs);
    });

    it('reads SecureBoot', async () => {
      const sb = await getSecureBoot(client, system);
      assert.equal(sb?.enabled, w.secureBootEnabled);
      assert.equal(sb?.currentBoot, 'Disabled');
      assert.equal(sb?.mode, w.secureBootMode);
    });

    it('reads managers and finds virtual media under the system or the manager', async () => {
      const managers = await getManagers(client);
      assert.equal(managers.length, w.managers);
      assert.equal(managers[0]!.firmwareVersion, w.firmware);
      assert.equal(managers[0]!.managerType, 'BMC');
      const vms = await listVirtualMedia(client, system);
      assert.deepEqual(vms.map((v) => v.uri), w.virtualMedia);
      assert.equal(pickVirtualMedia(vms, 'CD')?.uri, w.cdUri);
      assert.equal(pickVirtualMedia(vms, 'cd')?.uri, w.cdUri, 'media type match is case-insensitive');
    });

    it('reads SessionService and TaskService', async () => {
      const ss = await getSessionService(client);
      assert.equal(ss?.sessionsUri, '/redfish/v1/SessionService/Sessions');
      assert.equal(ss?.sessionTimeout, w.sessionTimeout);
      const ts = await getTaskService(client);
      assert.equal(ts?.tasksUri, '/redfish/v1/TaskService/Tasks');
      assert.equal((await listTasks(client)).length, w.tasks);
    });
  });
}
