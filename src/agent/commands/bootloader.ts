/**
 * The `image` extension: install_bootloader. On a lab machine the boot entry goes to
 * the machine's NVRAM file (the lab boots from it); on Linux through efibootmgr.
 * The entry points at the install device chosen by the root device hints, and at the
 * EFI system partition when Ironic names one.
 */
import type { Extensions } from './executor.ts';
import type { AgentContext } from './context.ts';
import { installDevice } from './standby.ts';
import { readPartitionTable, partitionName } from '../disk/partitions.ts';
import { invalidParams } from '../errors.ts';

const EFI_SYSTEM_GPT = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export function imageExtension(ctx: AgentContext): Extensions[string] {
  return {
    install_bootloader: {
      mode: 'async',
      validate: (p) => {
        if (p.target_boot_mode !== undefined && p.target_boot_mode !== null && !['uefi', 'bios'].includes(String(p.target_boot_mode))) {
          throw invalidParams(`target_boot_mode must be "uefi" or "bios", got ${JSON.stringify(p.target_boot_mode)}`);
        }
      },
      run: async (p) => {
        const disk = await installDevice(ctx);
        const inv = await ctx.machine.inventory();
        const mode = (p.target_boot_mode as string | undefined) ?? inv.boot.current_boot_mode;
        let partition: string | null = null;
        if (mode === 'uefi') {
          const table = await readPartitionTable(disk.path);
          const esp = table?.partitions.find((x) => x.type.toUpperCase() === EFI_SYSTEM_GPT || x.type.toLowerCase() === 'ef');
          if (esp) partition = partitionName(disk.name, esp.number);
        }
        await ctx.machine.recordBootEntry({
          label: 'ironic1', disk: disk.name, partition,
          loader: mode === 'uefi' ? '\\EFI\\BOOT\\BOOTX64.EFI' : null,
        });
        ctx.log(`Boot entry for ${disk.name} (${mode}) recorded`);
        return null;
      },
    },
  };
}
