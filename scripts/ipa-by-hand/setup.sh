#!/usr/bin/env bash
# By-hand check: lay out ironic-python-agent 9.4.3 from a git checkout in $IPA_DIR so that
# Debian's Python runs it unchanged, with this folder's hardware manager (a loop device and
# one NIC only), then run drive.mts. IPA's code stays outside the project. Needs root (losetup),
# sgdisk, and Debian's python3-pint python3-pyudev python3-werkzeug besides the Ironic packages.
#   IPA_REPO=/path/to/ironic-python-agent scripts/ipa-by-hand/setup.sh && npx tsx scripts/ipa-by-hand/drive.mts
set -euo pipefail
IPA_REPO=${IPA_REPO:?path of an ironic-python-agent git checkout}
IPA_DIR=${IPA_DIR:-/tmp/ipa-hand}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$IPA_DIR"
git -C "$IPA_REPO" archive 9.4.3 ironic_python_agent setup.cfg | tar -x -C "$IPA_DIR"
cp "$here/loop_harness.py" "$IPA_DIR/"
meta="$IPA_DIR/ironic_python_agent-9.4.3.dist-info"
mkdir -p "$meta"
printf 'Metadata-Version: 2.1\nName: ironic-python-agent\nVersion: 9.4.3\n' > "$meta/METADATA"
# Entry points (extensions, hardware managers) from IPA's setup.cfg, plus the harness manager.
/usr/bin/python3 - "$IPA_DIR/setup.cfg" "$meta/entry_points.txt" <<'PY'
import configparser, sys
c = configparser.ConfigParser(); c.read(sys.argv[1])
out = []
for group, lines in c['entry_points'].items():
    out.append(f'[{group}]')
    if group == 'ironic_python_agent.hardware_managers':
        out.append('loopharness = loop_harness:LoopHarnessManager')
    out += [l.strip() for l in lines.strip().splitlines()]
    out.append('')
open(sys.argv[2], 'w').write('\n'.join(out))
PY
echo "IPA 9.4.3 laid out in $IPA_DIR"
