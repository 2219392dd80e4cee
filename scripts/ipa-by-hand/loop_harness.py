"""By-hand harness (not part of Ingot): IPA sees only a loop device and one fake NIC."""
import os
from ironic_python_agent import hardware

LOOP = os.environ['HARNESS_LOOP']
MAC = os.environ['HARNESS_MAC']


class LoopHarnessManager(hardware.GenericHardwareManager):
    HARDWARE_MANAGER_NAME = 'LoopHarness'
    HARDWARE_MANAGER_VERSION = '1.0'

    def evaluate_hardware_support(self):
        return hardware.HardwareSupport.SERVICE_PROVIDER

    def wait_for_disks(self):
        return None

    def list_block_devices(self, include_partitions=False):
        size = int(open('/sys/block/%s/size' % os.path.basename(LOOP)).read()) * 512
        return [hardware.BlockDevice(name=LOOP, model='loop', size=size, rotational=False, vendor='harness', serial='h1')]

    def list_block_devices_check_skip_list(self, node, include_partitions=False, all_serial_and_wwn=False):
        return self.list_block_devices(include_partitions)

    def get_os_install_device(self, permit_refresh=False):
        return LOOP

    def list_network_interfaces(self):
        return [hardware.NetworkInterface('harness0', MAC, ipv4_address='127.0.0.1', has_carrier=True)]

    def list_hardware_info(self):
        return {
            'interfaces': self.list_network_interfaces(),
            'cpu': hardware.CPU('harness', '1000', 1, 'x86_64'),
            'disks': self.list_block_devices(),
            'memory': hardware.Memory(2 << 30, 2048),
            'bmc_address': None, 'bmc_v6address': None, 'bmc_mac': None,
            'system_vendor': hardware.SystemVendorInfo('harness', 'h1', 'harness'),
            'boot': hardware.BootInfo('bios'),
            'hostname': 'ipa-harness',
        }

    def get_bmc_address(self):
        return None

    def get_deploy_steps(self, node, ports):
        return [s for s in super().get_deploy_steps(node, ports) if s['step'] in ('write_image', 'erase_devices_metadata')]

    def get_clean_steps(self, node, ports):
        return [s for s in super().get_clean_steps(node, ports) if s['step'] in ('erase_devices_metadata',)]
