/**
 * Observation hooks: how the rest of the lab learns what the emulated BMCs did.
 *
 * A later part of the lab boots a real agent when a machine powers on, so it subscribes to
 * `onPowerChange` / `onBootFrom`. Listeners run synchronously, in subscription order, right after
 * the state change is committed and before the HTTP answer is sent. A listener that throws (or
 * returns a rejected promise) is logged and ignored: one bad observer must not break the BMC.
 *
 * @module
 */

/** Power states the emulator reports (`PowerState` of ComputerSystem). */
export type PowerState = 'On' | 'Off';

/** Everything the state model announces. `machineId` is the machine's ComputerSystem id. */
export type LabEvent =
  | { type: 'power'; machineId: string; state: PowerState; resetType: string }
  | { type: 'boot'; machineId: string; device: string; media: string | null; mode: string }
  | { type: 'media'; machineId: string; mediaId: string; image: string | null; inserted: boolean }
  | { type: 'bootOverride'; machineId: string; target: string; enabled: string; mode: string }
  | { type: 'biosPending'; machineId: string; pending: Record<string, unknown> }
  | { type: 'biosApplied'; machineId: string; applied: Record<string, unknown>; reset: boolean }
  | { type: 'volume'; machineId: string; action: 'created' | 'deleted'; storageId: string; volumeId: string }
  | { type: 'secureBoot'; machineId: string; enabled: boolean }
  | { type: 'nmi'; machineId: string };

type Listener = (event: LabEvent) => unknown;
type Unsubscribe = () => void;

/** Minimal logger shape (pino-compatible) used to report failing listeners. */
export interface HookLogger { warn(obj: unknown, msg?: string): void }

/** Callbacks that may be passed to `startRedfishLab({ hooks })`; same meaning as the `on*` methods. */
export interface HookCallbacks {
  onPowerChange(machineId: string, state: PowerState, resetType: string): unknown;
  onBootFrom(machineId: string, device: string, media: string | null, mode: string): unknown;
  onMediaChange(machineId: string, mediaId: string, image: string | null, inserted: boolean): unknown;
  onEvent(event: LabEvent): unknown;
}

export class LabHooks {
  private readonly listeners = new Set<Listener>();
  private readonly logger: HookLogger | undefined;

  constructor(logger?: HookLogger, initial?: Partial<HookCallbacks>) {
    this.logger = logger;
    if (initial?.onPowerChange) this.onPowerChange(initial.onPowerChange);
    if (initial?.onBootFrom) this.onBootFrom(initial.onBootFrom);
    if (initial?.onMediaChange) this.onMediaChange(initial.onMediaChange);
    if (initial?.onEvent) this.onEvent(initial.onEvent);
  }

  /** Every event. Returns a function that removes the listener. */
  onEvent(fn: (event: LabEvent) => unknown): Unsubscribe {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  /** Called on every power transition, including both halves of a restart (Off, then On). */
  onPowerChange(fn: HookCallbacks['onPowerChange']): Unsubscribe {
    return this.onEvent((e) => (e.type === 'power' ? fn(e.machineId, e.state, e.resetType) : undefined));
  }

  /**
   * Called each time a machine starts booting (power on or restart), after pending BIOS settings
   * were applied. `device` is a BootSourceOverrideTarget value (`Pxe`, `Cd`, `Hdd`, `Usb`, ...);
   * `media` is the image URL of the inserted virtual media that backs `Cd`/`Usb`/`Floppy`, else null.
   */
  onBootFrom(fn: HookCallbacks['onBootFrom']): Unsubscribe {
    return this.onEvent((e) => (e.type === 'boot' ? fn(e.machineId, e.device, e.media, e.mode) : undefined));
  }

  /** Called when virtual media is inserted or ejected (by action or PATCH). */
  onMediaChange(fn: HookCallbacks['onMediaChange']): Unsubscribe {
    return this.onEvent((e) => (e.type === 'media' ? fn(e.machineId, e.mediaId, e.image, e.inserted) : undefined));
  }

  /** Delivers one event to every listener; never throws. */
  emit(event: LabEvent): void {
    for (const fn of [...this.listeners]) {
      try {
        const r = fn(event);
        if (r && typeof (r as Promise<unknown>).then === 'function') {
          (r as Promise<unknown>).then(undefined, (err: unknown) => this.report(err, event));
        }
      } catch (err) {
        this.report(err, event);
      }
    }
  }

  private report(err: unknown, event: LabEvent): void {
    this.logger?.warn({ err, event }, 'redfish lab hook failed');
  }
}
