/**
 * The lab's local HTTP control API for its IPMI BMCs (bmc.py, one per machine): what an
 * IPMI request does to a `LabMachine`, the same object the Redfish BMC serves, so both
 * BMCs of a machine always agree.
 *
 * Routes (JSON, no authentication, bound to the loopback address; `:i` = machine position):
 * - `GET  /machines/:i/state` → `{power: 'On'|'Off'}`
 * - `POST /machines/:i/power` `{action}`: `on`, `off`, `soft` (graceful shutdown), `cycle`,
 *   `reset`, `diag` (NMI). Idempotent as real chassis control is (on when on: nothing).
 *   `cycle`/`reset` of an off machine → 409 (a BMC answers "not in present state").
 * - `GET|PUT /machines/:i/boot-flags` `{data: [5 bytes]}`: IPMI boot option parameter 5.
 *   Byte 1: 0x80 valid, 0x40 persistent, 0x20 EFI; byte 2 bits 5-2: the device selector.
 *   A set maps to the machine's Redfish boot override (persistent → Continuous, else Once;
 *   EFI → UEFI mode, else Legacy when the profile allows it). The bytes are remembered and
 *   answered back while the override is unchanged (so `safe`, which Redfish cannot name,
 *   reads back as set); once it changed (a Once override consumed by a boot, a Redfish
 *   PATCH) the answer is derived from the machine.
 * - `POST /machines/:i/bmc-reset` `{warm}`: counted (`bmcResets`), no effect on the machine.
 * Errors: 400 bad input (the BMC answers "invalid data"), 404 unknown machine, 409 the
 * machine refused (the BMC answers "not supported in present state"), 503 the `busy`
 * fault (the BMC answers "node busy").
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LabMachine } from '../redfish/machine.ts';

/** Device selector (IPMI boot flags byte 2, bits 5-2) → Redfish BootSourceOverrideTarget. */
const SELECTOR_TARGET: Readonly<Record<number, readonly string[]>> = {
  0: ['None'], 1: ['Pxe'], 2: ['Hdd'], 3: ['Hdd'], 5: ['Cd'], 6: ['BiosSetup'], 15: ['Floppy', 'Usb'],
};
/** Redfish target → selector, for flags derived from the machine. */
const TARGET_SELECTOR: Readonly<Record<string, number>> = { Pxe: 1, Hdd: 2, Cd: 5, BiosSetup: 6, Floppy: 15, Usb: 15 };

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

interface Remembered { data: number[]; target: string; enabled: string }

export interface IpmiControlState {
  /** BMC resets asked for, per machine position. */
  bmcResets: number[];
  /** IPMI requests that reached the control API, per machine position. */
  requests: number[];
  /**
   * Fault: the next N requests of machine i are answered 503, which its BMC turns into the
   * IPMI completion code 0xc0 "Node busy" (one of the errors Ironic retries on).
   */
  busy: number[];
}

export interface IpmiControl {
  /** Base URL, e.g. `http://127.0.0.1:41234`; a machine's BMC uses `${url}/machines/${i}`. */
  url: string;
  state: IpmiControlState;
  close(): Promise<void>;
}

function pick(m: LabMachine, candidates: string[]): string {
  const t = candidates.find((c) => m.resetTypes.includes(c));
  if (!t) throw new HttpError(409, `machine ${m.id} offers none of the reset types ${candidates.join(', ')}`);
  return t;
}

function power(m: LabMachine, action: unknown): void {
  const on = m.power === 'On';
  switch (action) {
    case 'on': if (!on) m.reset(pick(m, ['On', 'ForceOn', 'PushPowerButton'])); return;
    case 'off': if (on) m.reset(pick(m, ['ForceOff', 'GracefulShutdown', 'PushPowerButton'])); return;
    case 'soft': if (on) m.reset(pick(m, ['GracefulShutdown', 'ForceOff'])); return;
    case 'cycle': case 'reset':
      if (!on) throw new HttpError(409, `machine ${m.id} is off: ${action} needs a running machine`);
      m.reset(pick(m, action === 'cycle' ? ['PowerCycle', 'ForceRestart', 'GracefulRestart'] : ['ForceRestart', 'PowerCycle', 'GracefulRestart']));
      return;
    case 'diag': if (on) m.reset(pick(m, ['Nmi'])); return;
    default: throw new HttpError(400, `unknown power action ${JSON.stringify(action)}`);
  }
}

function derivedFlags(m: LabMachine): number[] {
  const efi = m.boot.mode === 'UEFI' ? 0x20 : 0;
  const selector = m.boot.enabled === 'Disabled' ? undefined : TARGET_SELECTOR[m.boot.target];
  if (selector === undefined) return [efi, 0, 0, 0, 0];
  return [0x80 | (m.boot.enabled === 'Continuous' ? 0x40 : 0) | efi, selector << 2, 0, 0, 0];
}

function setFlags(m: LabMachine, data: unknown): Remembered {
  if (!Array.isArray(data) || data.length < 2 || !data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new HttpError(400, 'data must be the boot flags bytes (1 to 5 integers 0-255)');
  }
  const bytes = [...data as number[], 0, 0, 0, 0].slice(0, 5);
  const [flags, dev] = bytes as [number, number];
  if ((flags & 0x80) === 0) {
    m.setBootOverride({ BootSourceOverrideEnabled: 'Disabled' });
  } else {
    const selector = (dev >> 2) & 0x0f;
    const target = SELECTOR_TARGET[selector]?.find((t) => m.boot.allowedTargets.includes(t));
    if (!target) throw new HttpError(400, `boot device selector ${selector} is not supported by machine ${m.id}`);
    const boot: Record<string, string> = {
      BootSourceOverrideTarget: target,
      BootSourceOverrideEnabled: target === 'None' ? 'Disabled' : (flags & 0x40) ? 'Continuous' : 'Once',
    };
    const mode = (flags & 0x20) ? 'UEFI' : 'Legacy';
    if (m.boot.allowedModes.includes(mode)) boot.BootSourceOverrideMode = mode;
    m.setBootOverride(boot);
  }
  return { data: bytes, target: m.boot.target, enabled: m.boot.enabled };
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* fall through */ }
  throw new HttpError(400, 'the body must be a JSON object');
}

/** Starts the control API over `machines` on `host` (default 127.0.0.1), a free port. */
export async function startIpmiControl(machines: readonly LabMachine[], host = '127.0.0.1'): Promise<IpmiControl> {
  const remembered = new Map<number, Remembered>();
  const state: IpmiControlState = { bmcResets: machines.map(() => 0), requests: machines.map(() => 0), busy: machines.map(() => 0) };

  const handle = async (req: IncomingMessage): Promise<unknown> => {
    const match = /^\/machines\/(\d+)\/([a-z-]+)$/.exec(req.url?.split('?')[0] ?? '');
    if (!match) throw new HttpError(404, `no route ${req.method} ${req.url}`);
    const i = Number(match[1]);
    const m = machines[i];
    if (!m) throw new HttpError(404, `no machine at position ${i}`);
    state.requests[i]!++;
    if (state.busy[i]! > 0) { state.busy[i]!--; throw new HttpError(503, `machine ${m.id} is busy (injected fault)`); }
    const route = `${req.method} ${match[2]}`;
    switch (route) {
      case 'GET state': return { power: m.power };
      case 'POST power': power(m, (await body(req)).action); return { power: m.power };
      case 'GET boot-flags': {
        const r = remembered.get(i);
        const same = r && r.target === m.boot.target && r.enabled === m.boot.enabled;
        return { data: same ? r.data : derivedFlags(m) };
      }
      case 'PUT boot-flags': {
        const r = setFlags(m, (await body(req)).data);
        remembered.set(i, r);
        return { data: r.data };
      }
      case 'POST bmc-reset': await body(req); state.bmcResets[i]!++; return {};
      default: throw new HttpError(405, `${req.method} is not allowed on ${match[2]}`);
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(req).then((out) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(out));
    }, (err: unknown) => {
      // LabMachine throws RedfishError (status 400 for bad input) on refusals.
      const status = err instanceof HttpError ? err.status : (err as { status?: number }).status === 400 ? 400 : 409;
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
    });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, () => resolve()); });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    state,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
