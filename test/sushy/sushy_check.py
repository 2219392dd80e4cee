#!/usr/bin/python3
"""Drives a running Ingot Redfish lab with the real `sushy` client library.

Run by test/sushy/sushy.test.ts with Debian's /usr/bin/python3 (package python3-sushy).
Every step prints one JSON line: {"step": ..., "ok": true, ...facts}. The first failing step
prints {"ok": false, "error": ...} and the script exits 1, so the Node test can show where a real
client disagreed with the emulator.

Usage: sushy_check.py --url URL --system /redfish/v1/Systems/ID --bios-attr NAME --bios-value JSON
"""
import argparse
import json
import sys

import sushy
from sushy import auth as sushy_auth
from sushy import exceptions


def emit(step, **facts):
    print(json.dumps({"step": step, "ok": True, **facts}, default=str), flush=True)


def value_of(enum_or_str):
    return getattr(enum_or_str, "value", enum_or_str)


def find_cd(system):
    """CD virtual media: under the System when it links one, else under its Manager(s)."""
    collections = []
    if system.json.get("VirtualMedia"):
        from sushy.resources.manager import virtual_media
        collections.append(virtual_media.VirtualMediaCollection(
            system._conn, system.json["VirtualMedia"]["@odata.id"],
            redfish_version=system.redfish_version))
    for manager in system.managers:
        try:
            collections.append(manager.virtual_media)
        except exceptions.MissingAttributeError:
            pass
    members = [m for coll in collections for m in coll.get_members()]
    for media in members:
        types = [value_of(t) for t in media.media_types]
        if "CD" in types or "DVD" in types:
            return media
    # Some BMCs (the AMI capture) omit MediaTypes; fall back to the device name, as an operator would.
    for media in members:
        if "cd" in (media.identity or "").lower():
            return media
    raise AssertionError("no CD virtual media found")


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--system", required=True)
    p.add_argument("--user", default="admin")
    p.add_argument("--password", default="password")
    p.add_argument("--bios-attr", required=True)
    p.add_argument("--bios-value", required=True, help="JSON value")
    p.add_argument("--image", default="http://images.lab.test/deploy.iso")
    p.add_argument("--raid", action="store_true", help="also create and delete a RAID1 volume")
    a = p.parse_args()
    step = "connect"
    try:
        session = sushy_auth.SessionAuth(a.user, a.password)
        conn = sushy.Sushy(a.url, auth=session, verify=False)
        emit(step, redfish_version=conn.redfish_version, session=session.get_session_resource_id())

        step = "list-systems"
        members = sorted(conn.get_system_collection().members_identities)
        expect(a.system in members, f"{a.system} not in {members}")
        emit(step, members=members)

        step = "bad-credentials"
        try:
            sushy.Sushy(a.url, auth=sushy_auth.SessionAuth(a.user, "wrong"), verify=False).get_system(a.system)
            raise AssertionError("wrong password was accepted")
        except exceptions.AccessError as e:
            emit(step, status=e.status_code)

        system = conn.get_system(a.system)
        step = "power"
        system.reset_system(sushy.ResetType.ON)
        system.refresh()
        on = value_of(system.power_state)
        system.reset_system(sushy.ResetType.FORCE_OFF)
        system.refresh()
        off = value_of(system.power_state)
        expect(on == "On" and off == "Off", f"power on/off gave {on}/{off}")
        emit(step, on=on, off=off)

        step = "boot-once"
        system.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE)
        system.refresh()
        once = (value_of(system.boot.target), value_of(system.boot.enabled))
        expect(once == ("Pxe", "Once"), f"boot once gave {once}")
        emit(step, target=once[0], enabled=once[1])

        step = "boot-continuous"
        system.set_system_boot_options(sushy.BootSource.HDD, enabled=sushy.BootSourceOverrideEnabled.CONTINUOUS,
                                       mode=sushy.BootSourceOverrideMode.UEFI)
        system.refresh()
        cont = (value_of(system.boot.target), value_of(system.boot.enabled), value_of(system.boot.mode))
        expect(cont == ("Hdd", "Continuous", "UEFI"), f"boot continuous gave {cont}")
        emit(step, target=cont[0], enabled=cont[1], mode=cont[2])

        step = "vmedia-insert"
        cd = find_cd(system)
        cd.insert_media(a.image, inserted=True, write_protected=True)
        cd.refresh()
        expect(cd.image == a.image and cd.inserted, f"insert gave image={cd.image} inserted={cd.inserted}")
        emit(step, path=cd.path, image=cd.image, inserted=cd.inserted)

        step = "boot-from-cd"
        system.set_system_boot_options(sushy.BootSource.CD, enabled=sushy.BootSourceOverrideEnabled.ONCE)
        system.reset_system(sushy.ResetType.ON)
        system.refresh()
        after = (value_of(system.power_state), value_of(system.boot.enabled))
        expect(after == ("On", "Disabled"), f"after CD boot: {after}")
        system.reset_system(sushy.ResetType.FORCE_OFF)
        emit(step, power=after[0], enabled_after_boot=after[1])

        step = "vmedia-eject"
        cd.eject_media()
        cd.refresh()
        # An ejected image reads as null, "" (iLO) or the string "None" (AMI), as on the real BMCs.
        expect(not cd.inserted and cd.image in (None, "", "None"), f"eject gave image={cd.image} inserted={cd.inserted}")
        emit(step, inserted=cd.inserted)

        step = "bios"
        bios = system.bios
        wanted = json.loads(a.bios_value)
        before = bios.attributes[a.bios_attr]
        expect(before != wanted, f"{a.bios_attr} already {wanted}")
        bios.set_attribute(a.bios_attr, wanted)
        bios.refresh()
        pending = bios.pending_attributes.get(a.bios_attr)
        current = bios.attributes[a.bios_attr]
        expect(pending == wanted and current == before, f"pending={pending} current={current}")
        try:
            registry = getattr(bios.get_attribute_registry(), "identity", None)
        except FileNotFoundError:
            # NOTE: Debian's python3-sushy ships without sushy/standard_registries/, which sushy
            # needs before it can look up any registry; that is a packaging gap, not a BMC error.
            registry = "unavailable: python3-sushy lacks standard_registries"
        system.reset_system(sushy.ResetType.ON)
        bios.refresh()
        applied = bios.attributes[a.bios_attr]
        expect(applied == wanted, f"after reboot {a.bios_attr}={applied}")
        system.reset_system(sushy.ResetType.FORCE_OFF)
        emit(step, attr=a.bios_attr, before=before, pending=pending, applied=applied,
             registry=registry, registry_name=bios.json.get("AttributeRegistry"))

        if a.raid:
            step = "raid"
            storage = system.storage.get_members()[0]
            raid_types = [value_of(t) for t in storage.storage_controllers[0].raid_types]
            drives = [d.path for d in storage.drives][:2]
            volumes = storage.volumes
            # Immediate apply time makes sushy block on the task monitor until the task completes.
            volumes.create({"Name": "sushy-root", "RAIDType": "RAID1", "CapacityBytes": 10 * 2**30,
                            "Links": {"Drives": [{"@odata.id": d} for d in drives]}},
                           apply_time=sushy.ApplyTime.IMMEDIATE)
            # NOTE: a fresh collection object, because sushy caches member objects across refresh().
            from sushy.resources.system.storage import volume as sushy_volume

            def fresh():
                coll = sushy_volume.VolumeCollection(system._conn, volumes.path, redfish_version=system.redfish_version)
                return coll.get_members()
            created = [v for v in fresh() if v.name == "sushy-root"]
            expect(len(created) == 1 and value_of(created[0].raid_type) == "RAID1", f"volumes after create: {created}")
            created[0].delete()
            left = [v.identity for v in fresh() if v.name == "sushy-root"]
            expect(not left, f"volume still listed after delete: {left}")
            emit(step, raid_types=raid_types, created=created[0].path, capacity=created[0].capacity_bytes)

        step = "logout"
        session.close()
        emit(step)
    except Exception as e:  # noqa: BLE001 - report any failure as a step result
        print(json.dumps({"step": step, "ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
