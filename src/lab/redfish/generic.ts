/**
 * The built-in generic profile: a plain, standards-first Redfish 1.x server that needs no files.
 *
 * It is what the lab serves when no mockup profile is asked for (or the mockups folder is absent).
 * Like a mockup it is a template tree for ONE machine whose ids are `TEMPLATE_ID`; the service
 * rewrites them per machine (generic machines use their UUID for system, manager and chassis, as
 * sushy-tools does). State-dependent fields here are placeholders that the renderer overwrites.
 * VirtualMedia sits under the Manager, which every Ironic release can find.
 *
 * @module
 */
import { genericBiosAttributes, genericBiosRegistryDoc, GENERIC_BIOS_REGISTRY_ID } from './bios.ts';
import { MessageCatalog } from './errors.ts';
import { MemoryTree, type Json } from './tree.ts';

export const TEMPLATE_ID = 'template';

/** Hardware shape of generic machines (all machines of a lab share it). */
export interface GenericShape {
  nics?: number;
  drives?: number;
  driveSizeGiB?: number;
  cpus?: number;
  coresPerCpu?: number;
  memoryGiB?: number;
}

const V = '/redfish/v1';
const S = `${V}/Systems/${TEMPLATE_ID}`;
const M = `${V}/Managers/${TEMPLATE_ID}`;
const C = `${V}/Chassis/${TEMPLATE_ID}`;
const GiB = 1024 ** 3;
const link = (id: string): Json => ({ '@odata.id': id });

function collection(path: string, type: string, name: string, members: string[], extra: Json = {}): Json {
  return { '@odata.id': path, '@odata.type': `#${type}.${type}`, Name: name, Members: members.map(link), 'Members@odata.count': members.length, ...extra };
}

/** Builds the template tree for the given shape. */
export function genericTree(shape: GenericShape = {}): MemoryTree {
  const nics = shape.nics ?? 2;
  const drives = shape.drives ?? 4;
  const cpus = shape.cpus ?? 2;
  const cores = shape.coresPerCpu ?? 8;
  const memGiB = shape.memoryGiB ?? 64;
  const t = new MemoryTree();
  const ok = { State: 'Enabled', Health: 'OK' };

  t.set(V, {
    '@odata.id': `${V}/`, '@odata.type': '#ServiceRoot.v1_11_0.ServiceRoot', Id: 'RootService', Name: 'Ingot Lab Redfish Service',
    RedfishVersion: '1.11.0', UUID: '00000000-0000-4000-8000-1abb0b0b0000', Vendor: 'Ingot', Product: 'Ingot Lab BMC',
    Systems: link(`${V}/Systems`), Managers: link(`${V}/Managers`), Chassis: link(`${V}/Chassis`),
    SessionService: link(`${V}/SessionService`), Tasks: link(`${V}/TaskService`), Registries: link(`${V}/Registries`),
    Links: { Sessions: link(`${V}/SessionService/Sessions`) },
    ProtocolFeaturesSupported: { ExpandQuery: { ExpandAll: false }, FilterQuery: false, SelectQuery: false, OnlyMemberQuery: false },
  });
  t.set(`${V}/Systems`, collection(`${V}/Systems`, 'ComputerSystemCollection', 'Computer System Collection', [S]));
  t.set(`${V}/Managers`, collection(`${V}/Managers`, 'ManagerCollection', 'Manager Collection', [M]));
  t.set(`${V}/Chassis`, collection(`${V}/Chassis`, 'ChassisCollection', 'Chassis Collection', [C]));

  t.set(S, {
    '@odata.id': S, '@odata.type': '#ComputerSystem.v1_13_0.ComputerSystem', Id: TEMPLATE_ID, Name: 'template',
    SystemType: 'Physical', Manufacturer: 'Ingot', Model: 'Lab Machine', SKU: 'LAB-1', SerialNumber: 'LAB0000', PartNumber: 'LAB-PN-1',
    Description: 'Emulated machine of the Ingot lab', UUID: '', HostName: '', Status: ok, IndicatorLED: 'Off', PowerState: 'Off',
    AssetTag: '', BiosVersion: '1.0.0',
    Boot: {
      BootSourceOverrideEnabled: 'Disabled', BootSourceOverrideTarget: 'None', BootSourceOverrideMode: 'UEFI',
      'BootSourceOverrideTarget@Redfish.AllowableValues': ['None', 'Pxe', 'Cd', 'Usb', 'Floppy', 'Hdd', 'BiosSetup', 'UefiHttp', 'UefiTarget'],
      'BootSourceOverrideMode@Redfish.AllowableValues': ['UEFI', 'Legacy'],
      UefiTargetBootSourceOverride: null,
    },
    ProcessorSummary: { Count: cpus, Model: 'Ingot Virtual CPU', LogicalProcessorCount: cpus * cores * 2, CoreCount: cpus * cores, Status: ok },
    MemorySummary: { TotalSystemMemoryGiB: memGiB, Status: ok },
    Bios: link(`${S}/Bios`), SecureBoot: link(`${S}/SecureBoot`), Processors: link(`${S}/Processors`), Memory: link(`${S}/Memory`),
    EthernetInterfaces: link(`${S}/EthernetInterfaces`), Storage: link(`${S}/Storage`),
    Links: { Chassis: [link(C)], ManagedBy: [link(M)] },
    Actions: {
      '#ComputerSystem.Reset': {
        target: `${S}/Actions/ComputerSystem.Reset`,
        'ResetType@Redfish.AllowableValues': ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn', 'PushPowerButton', 'PowerCycle'],
      },
    },
  });

  t.set(`${S}/Bios`, {
    '@odata.id': `${S}/Bios`, '@odata.type': '#Bios.v1_1_0.Bios', Id: 'BIOS', Name: 'BIOS Configuration Current Settings',
    AttributeRegistry: GENERIC_BIOS_REGISTRY_ID, Attributes: genericBiosAttributes(),
    '@Redfish.Settings': { '@odata.type': '#Settings.v1_3_5.Settings', SettingsObject: link(`${S}/Bios/Settings`), SupportedApplyTimes: ['OnReset'] },
    Actions: {
      '#Bios.ResetBios': { target: `${S}/Bios/Actions/Bios.ResetBios` },
      '#Bios.ChangePassword': { target: `${S}/Bios/Actions/Bios.ChangePassword` },
    },
  });
  t.set(`${S}/Bios/Settings`, {
    '@odata.id': `${S}/Bios/Settings`, '@odata.type': '#Bios.v1_1_0.Bios', Id: 'Settings', Name: 'BIOS Configuration Pending Settings',
    AttributeRegistry: GENERIC_BIOS_REGISTRY_ID, Attributes: {},
  });
  t.set(`${S}/SecureBoot`, {
    '@odata.id': `${S}/SecureBoot`, '@odata.type': '#SecureBoot.v1_1_0.SecureBoot', Id: 'SecureBoot', Name: 'UEFI Secure Boot',
    SecureBootEnable: false, SecureBootCurrentBoot: 'Disabled', SecureBootMode: 'UserMode',
    Actions: { '#SecureBoot.ResetKeys': { target: `${S}/SecureBoot/Actions/SecureBoot.ResetKeys`, 'ResetKeysType@Redfish.AllowableValues': ['ResetAllKeysToDefault', 'DeleteAllKeys', 'DeletePK'] } },
  });

  const cpuIds = Array.from({ length: cpus }, (_, i) => `CPU${i + 1}`);
  t.set(`${S}/Processors`, collection(`${S}/Processors`, 'ProcessorCollection', 'Processors Collection', cpuIds.map((c) => `${S}/Processors/${c}`)));
  cpuIds.forEach((id, i) => t.set(`${S}/Processors/${id}`, {
    '@odata.id': `${S}/Processors/${id}`, '@odata.type': '#Processor.v1_7_0.Processor', Id: id, Name: 'Processor', Socket: `CPU ${i + 1}`,
    ProcessorType: 'CPU', ProcessorArchitecture: 'x86', InstructionSet: 'x86-64', Manufacturer: 'Ingot', Model: 'Ingot Virtual CPU',
    MaxSpeedMHz: 3000, TotalCores: cores, TotalThreads: cores * 2, Status: ok,
  }));
  const dimms = 4;
  const dimmIds = Array.from({ length: dimms }, (_, i) => `DIMM${i + 1}`);
  t.set(`${S}/Memory`, collection(`${S}/Memory`, 'MemoryCollection', 'Memory Module Collection', dimmIds.map((d) => `${S}/Memory/${d}`)));
  dimmIds.forEach((id) => t.set(`${S}/Memory/${id}`, {
    '@odata.id': `${S}/Memory/${id}`, '@odata.type': '#Memory.v1_7_0.Memory', Id: id, Name: id, MemoryType: 'DRAM', MemoryDeviceType: 'DDR4',
    CapacityMiB: Math.floor((memGiB * 1024) / dimms), OperatingSpeedMhz: 3200, Status: ok,
  }));

  const nicIds = Array.from({ length: nics }, (_, i) => `NIC${i + 1}`);
  t.set(`${S}/EthernetInterfaces`, collection(`${S}/EthernetInterfaces`, 'EthernetInterfaceCollection', 'Ethernet Interface Collection', nicIds.map((n) => `${S}/EthernetInterfaces/${n}`)));
  nicIds.forEach((id, i) => t.set(`${S}/EthernetInterfaces/${id}`, {
    '@odata.id': `${S}/EthernetInterfaces/${id}`, '@odata.type': '#EthernetInterface.v1_6_0.EthernetInterface', Id: id, Name: `Ethernet Interface ${i + 1}`,
    Description: `System NIC ${i + 1}`, Status: ok, LinkStatus: 'LinkUp', MACAddress: '', PermanentMACAddress: '', SpeedMbps: 10000, FullDuplex: true,
    InterfaceEnabled: true,
  }));

  const st = `${S}/Storage/1`;
  const driveIds = Array.from({ length: drives }, (_, i) => `Disk${i}`);
  t.set(`${S}/Storage`, collection(`${S}/Storage`, 'StorageCollection', 'Storage Collection', [st]));
  t.set(st, {
    '@odata.id': st, '@odata.type': '#Storage.v1_9_0.Storage', Id: '1', Name: 'Lab RAID Controller', Status: ok,
    StorageControllers: [{
      '@odata.id': `${st}#/StorageControllers/0`, MemberId: '0', Name: 'Lab RAID Controller', Status: ok, Manufacturer: 'Ingot', Model: 'LabRAID 9000',
      SpeedGbps: 12, SupportedControllerProtocols: ['PCIe'], SupportedDeviceProtocols: ['SAS', 'SATA'],
      SupportedRAIDTypes: ['RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10'],
    }],
    Controllers: link(`${st}/Controllers`),
    Drives: driveIds.map((d) => link(`${st}/Drives/${d}`)), 'Drives@odata.count': drives,
    Volumes: link(`${st}/Volumes`),
  });
  t.set(`${st}/Controllers`, collection(`${st}/Controllers`, 'StorageControllerCollection', 'Storage Controller Collection', [`${st}/Controllers/0`]));
  t.set(`${st}/Controllers/0`, {
    '@odata.id': `${st}/Controllers/0`, '@odata.type': '#StorageController.v1_0_0.StorageController', Id: '0', Name: 'Lab RAID Controller', Status: ok,
    SupportedControllerProtocols: ['PCIe'], SupportedDeviceProtocols: ['SAS', 'SATA'], SupportedRAIDTypes: ['RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10'],
  });
  driveIds.forEach((id, i) => t.set(`${st}/Drives/${id}`, {
    '@odata.id': `${st}/Drives/${id}`, '@odata.type': '#Drive.v1_9_0.Drive', Id: id, Name: `Drive ${i}`, Status: ok,
    CapacityBytes: (shape.driveSizeGiB ?? 480) * GiB, MediaType: i % 2 === 0 ? 'SSD' : 'HDD', Protocol: 'SAS', Manufacturer: 'Ingot',
    Model: 'LabDisk', SerialNumber: `LABDISK${i}`, BlockSizeBytes: 512, Links: { Volumes: [] },
  }));
  t.set(`${st}/Volumes`, collection(`${st}/Volumes`, 'VolumeCollection', 'Volume Collection', [], {
    '@Redfish.OperationApplyTimeSupport': { '@odata.type': '#Settings.v1_3_5.OperationApplyTimeSupport', SupportedValues: ['Immediate'] },
  }));

  t.set(M, {
    '@odata.id': M, '@odata.type': '#Manager.v1_10_0.Manager', Id: TEMPLATE_ID, Name: 'Lab BMC', ManagerType: 'BMC', Model: 'Ingot Lab BMC',
    FirmwareVersion: '1.0.0', UUID: '', Status: ok, PowerState: 'On', VirtualMedia: link(`${M}/VirtualMedia`),
    Links: { ManagerForServers: [link(S)], ManagerForChassis: [link(C)] },
    Actions: { '#Manager.Reset': { target: `${M}/Actions/Manager.Reset`, 'ResetType@Redfish.AllowableValues': ['ForceRestart', 'GracefulRestart'] } },
  });
  const vm = [['CD1', 'Virtual CD', ['CD', 'DVD']], ['Floppy1', 'Virtual Removable Media', ['Floppy', 'USBStick']]] as const;
  t.set(`${M}/VirtualMedia`, collection(`${M}/VirtualMedia`, 'VirtualMediaCollection', 'Virtual Media Services', vm.map(([id]) => `${M}/VirtualMedia/${id}`)));
  for (const [id, name, types] of vm) {
    t.set(`${M}/VirtualMedia/${id}`, {
      '@odata.id': `${M}/VirtualMedia/${id}`, '@odata.type': '#VirtualMedia.v1_3_0.VirtualMedia', Id: id, Name: name, MediaTypes: [...types],
      Image: null, ImageName: null, ConnectedVia: 'NotConnected', Inserted: false, WriteProtected: true,
      Actions: {
        '#VirtualMedia.InsertMedia': { target: `${M}/VirtualMedia/${id}/Actions/VirtualMedia.InsertMedia` },
        '#VirtualMedia.EjectMedia': { target: `${M}/VirtualMedia/${id}/Actions/VirtualMedia.EjectMedia` },
      },
    });
  }

  t.set(C, {
    '@odata.id': C, '@odata.type': '#Chassis.v1_11_0.Chassis', Id: TEMPLATE_ID, Name: 'Lab Chassis', ChassisType: 'RackMount', Manufacturer: 'Ingot',
    Model: 'Lab Chassis', SerialNumber: 'LABCH0000', UUID: '', PowerState: 'Off', IndicatorLED: 'Off', Status: ok,
    Links: { ComputerSystems: [link(S)], ManagedBy: [link(M)] },
  });

  t.set(`${V}/SessionService`, {
    '@odata.id': `${V}/SessionService`, '@odata.type': '#SessionService.v1_1_8.SessionService', Id: 'SessionService', Name: 'Session Service',
    ServiceEnabled: true, SessionTimeout: 1800, Sessions: link(`${V}/SessionService/Sessions`), Status: ok,
  });
  t.set(`${V}/SessionService/Sessions`, collection(`${V}/SessionService/Sessions`, 'SessionCollection', 'Session Collection', []));
  t.set(`${V}/TaskService`, {
    '@odata.id': `${V}/TaskService`, '@odata.type': '#TaskService.v1_1_5.TaskService', Id: 'TaskService', Name: 'Task Service',
    ServiceEnabled: true, CompletedTaskOverWritePolicy: 'Oldest', LifeCycleEventOnTaskStateChange: false, Tasks: link(`${V}/TaskService/Tasks`), Status: ok,
  });
  t.set(`${V}/TaskService/Tasks`, collection(`${V}/TaskService/Tasks`, 'TaskCollection', 'Task Collection', []));

  const base = MessageCatalog.builtinRegistry();
  const regs: Array<[string, Json]> = [[String(base.Id), base], [GENERIC_BIOS_REGISTRY_ID, genericBiosRegistryDoc()]];
  t.set(`${V}/Registries`, collection(`${V}/Registries`, 'MessageRegistryFileCollection', 'Registry File Collection', regs.map(([id]) => `${V}/Registries/${id}`)));
  for (const [id, doc] of regs) {
    t.set(`${V}/Registries/${id}`, {
      '@odata.id': `${V}/Registries/${id}`, '@odata.type': '#MessageRegistryFile.v1_1_0.MessageRegistryFile', Id: id, Name: `${id} Registry File`,
      Registry: id, Languages: ['en'], Location: [{ Language: 'en', Uri: `${V}/Registries/${id}.json` }],
    });
    t.set(`${V}/Registries/${id}.json`, { '@odata.id': `${V}/Registries/${id}.json`, ...doc });
  }
  return t;
}
