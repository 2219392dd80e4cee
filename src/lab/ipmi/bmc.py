#!/usr/bin/python3
"""One IPMI BMC of the Ingot lab, on Debian's pyghmi BMC (pyghmi.ipmi.bmc.Bmc, as
virtualbmc builds its BMCs).

It holds no machine state: every IPMI request that reads or changes the machine is
forwarded to the lab's local HTTP control API (src/lab/ipmi/control.ts), so the IPMI
BMC and the Redfish BMC of a lab machine drive the SAME machine.

Usage: bmc.py --control URL --port PORT [--address ADDR] [--user NAME:PASSWORD ...]
Prints one line "READY <port>" on stdout once the UDP socket is bound (port 0 = any),
then serves until killed (SIGTERM) or until its stdin reaches end of file: the lab keeps
stdin open, so a BMC never outlives a lab process that died without closing it.

Completion codes (IPMI spec table 5-2): 0xc0 node busy (the control API is unreachable
or answers 503, the lab's "busy" fault: retrying may help), 0xd5 not supported in the present state (the lab refused the
action), 0xcc invalid data (unknown boot device).
"""
import argparse
import json
import os
import sys
import threading
import urllib.error
import urllib.request

import pyghmi.ipmi.bmc as bmc

NODE_BUSY = 0xC0
INVALID_DATA = 0xCC
NOT_IN_STATE = 0xD5


class LabError(Exception):
    """The control API answered with an error, or could not be reached."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class LabBmc(bmc.Bmc):
    def __init__(self, authdata, port, address, control, name):
        super().__init__(authdata, port=port, address=address)
        # With port 0 the system picked one: pyghmi routes session packets by self.port.
        self.port = self.serversocket.getsockname()[1]
        self.control = control.rstrip('/')
        self.name = name
        # Serial-over-LAN: the machine's serial console echoes what it is sent.
        self.iohandler = self._from_console

    def _from_console(self, data):
        if self.sol is not None:
            self.sol.send_data(data)

    def activate_payload(self, request, session):
        super().activate_payload(request, session)
        if self.sol is not None:
            self.sol.send_data('Ingot lab machine %s serial console\r\n' % self.name)

    # --- control API -----------------------------------------------------------
    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.control + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                text = res.read().decode() or 'null'
                return json.loads(text)
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors='replace')
            sys.stderr.write('lab control %s %s: %s %s\n' % (method, path, e.code, detail))
            code = {400: INVALID_DATA, 503: NODE_BUSY}.get(e.code, NOT_IN_STATE)
            raise LabError(code, detail)
        except (urllib.error.URLError, OSError) as e:
            sys.stderr.write('lab control %s %s unreachable: %s\n' % (method, path, e))
            raise LabError(NODE_BUSY, str(e))

    def _power(self, action):
        try:
            self._call('POST', '/power', {'action': action})
        except LabError as e:
            return e.code
        return None

    # --- chassis power (pyghmi calls these from control_chassis) ----------------
    def get_power_state(self):
        # pyghmi has no completion code path here: an exception answers 0xff.
        return 'on' if self._call('GET', '/state')['power'] == 'On' else 'off'

    def get_chassis_status(self, session):
        try:
            return super().get_chassis_status(session)
        except LabError as e:
            return session.send_ipmi_response(code=e.code)

    def is_active(self):
        return self.get_power_state() == 'on'

    def power_on(self):
        return self._power('on')

    def power_off(self):
        return self._power('off')

    def power_cycle(self):
        return self._power('cycle')

    def power_reset(self):
        return self._power('reset')

    def power_shutdown(self):
        return self._power('soft')

    def pulse_diag(self):
        return self._power('diag')

    def cold_reset(self):
        try:
            self._call('POST', '/bmc-reset', {'warm': False})
        except LabError as e:
            return e.code
        return 0

    # --- boot options: parameter 5 (boot flags) carries the persistent and EFI bits,
    # which pyghmi's default handlers drop, so the flags bytes go to the lab as they are.
    def get_system_boot_options(self, request, session):
        if request['data'][0] & 0x7F != 5:
            return super().get_system_boot_options(request, session)
        try:
            flags = self._call('GET', '/boot-flags')
        except LabError as e:
            return session.send_ipmi_response(code=e.code)
        # parameter version 1, parameter 5, then the five flag bytes
        session.send_ipmi_response(data=[1, 5] + list(flags['data']))

    def set_system_boot_options(self, request, session):
        data = request['data']
        if data[0] & 0x7F != 5:
            return super().set_system_boot_options(request, session)
        if len(data) < 3:
            return session.send_ipmi_response(code=INVALID_DATA)
        try:
            self._call('PUT', '/boot-flags', {'data': list(data[1:6])})
        except LabError as e:
            return session.send_ipmi_response(code=e.code)
        session.send_ipmi_response()

    def get_sol_parameter(self, request, session):
        # Get SOL Configuration Parameters (netfn Transport 0x0c, command 0x22), which
        # `ipmitool sol info` reads: revision 0x11, then the parameter's data.
        param = request['data'][1] & 0x7F
        data = {
            0: [0x00],                  # set in progress: set complete
            1: [0x01],                  # SOL enabled
            2: [0x02],                  # authentication: USER privilege, no forced encryption
            3: [0x0C, 0x60],            # character accumulate interval, send threshold
            4: [0x07, 0x32],            # retry count, interval
            5: [0x0A],                  # non-volatile bit rate 115.2 kbps
            6: [0x0A],                  # volatile bit rate 115.2 kbps
            7: [0x0E],                  # payload channel
            8: [self.port & 0xFF, self.port >> 8],  # payload port
        }.get(param)
        if data is None:
            return session.send_ipmi_response(code=0x80)  # parameter not supported
        session.send_ipmi_response(data=[0x11] + data)

    def handle_raw_request(self, request, session):
        if request['netfn'] == 0x0C and request['command'] == 0x22:
            return self.get_sol_parameter(request, session)
        # BMC warm reset (netfn App, command 3): pyghmi only knows the cold one.
        if request['netfn'] == 6 and request['command'] == 3:
            try:
                self._call('POST', '/bmc-reset', {'warm': True})
            except LabError as e:
                return session.send_ipmi_response(code=e.code)
            return session.send_ipmi_response()
        return super().handle_raw_request(request, session)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--control', required=True, help='base URL of this machine in the lab control API')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--address', default='127.0.0.1')
    p.add_argument('--name', default='', help='machine name shown on its serial console')
    p.add_argument('--user', action='append', default=[], help='NAME:PASSWORD (repeatable)')
    a = p.parse_args()
    users = {}
    for u in a.user or ['admin:password']:
        name, _, password = u.partition(':')
        users[name] = password
    server = LabBmc(users, port=a.port, address=a.address, control=a.control, name=a.name)
    print('READY %d' % server.port, flush=True)

    def watch_parent():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server.listen()


if __name__ == '__main__':
    main()
