/**
 * What the redfish implementations share: the name `redfish`, Ironic's COMMON_PROPERTIES,
 * a validate() that parses driver_info (Ironic's parse_driver_info, no BMC contact),
 * access to the shared `RedfishConnectionCache`, step dispatch, and abortable polling.
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { DriverContext, DriverInterface, StepOutcome } from '../base.ts';
import type { RedfishConnectionCache, RedfishSession } from './connection.ts';
import { parseRedfishDriverInfo, REDFISH_PROPERTIES } from './driver-info.ts';

export abstract class RedfishBase implements DriverInterface {
  readonly name: string = 'redfish';

  constructor(protected readonly connections: RedfishConnectionCache) {}

  properties(): Readonly<Record<string, string>> { return { ...REDFISH_PROPERTIES }; }

  /** Ironic's parse_driver_info: throws InvalidError naming the missing/invalid key. */
  async validate(ctx: DriverContext): Promise<void> {
    parseRedfishDriverInfo(ctx.node);
  }

  /** Shorthand for `connections.withRedfish`. */
  protected redfish<T>(ctx: DriverContext, what: string, fn: (s: RedfishSession) => Promise<T>): Promise<T> {
    return this.connections.withRedfish(ctx, what, fn);
  }
}

/** A step handler: the step's Ironic method, called with the step's args. */
export type StepHandler = (ctx: DriverContext, args: Json) => Promise<StepOutcome>;

/** Run `step` from `handlers`; an unknown step is an InvalidError. */
export function runStep(kind: string, handlers: Readonly<Record<string, StepHandler>>, ctx: DriverContext,
  step: string, args: Json): Promise<StepOutcome> {
  const h = Object.hasOwn(handlers, step) ? handlers[step] : undefined;
  if (!h) return Promise.reject(new InvalidError(`The ${kind} interface 'redfish' has no step '${step}'.`));
  return h(ctx, args ?? {});
}

/** Throws a retryable DriverError when the operation was aborted (conductor shutdown, abort). */
export function checkAborted(ctx: DriverContext, what: string): void {
  if (ctx.signal.aborted) {
    throw new DriverError(`${what} for node ${ctx.node.uuid} was aborted.`, { reason: 'aborted', retryable: true });
  }
}

/** Sleep `ms`, rejecting with the abort DriverError as soon as ctx.signal fires. */
export function sleep(ctx: DriverContext, ms: number, what: string): Promise<void> {
  checkAborted(ctx, what);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DriverError(`${what} for node ${ctx.node.uuid} was aborted.`, { reason: 'aborted', retryable: true }));
    };
    const timer = setTimeout(() => { ctx.signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Poll `check` until it returns a value other than undefined, or `timeoutS` passes
 * (then resolves undefined). Delays start at `s.timings.pollMs` and grow ×1.5 up to 5 s.
 */
export async function pollUntil<T>(s: RedfishSession, timeoutS: number, what: string,
  check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutS * 1000;
  let delay = s.timings.pollMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(s.ctx, Math.min(delay, left), what);
    delay = Math.min(delay * 1.5, Math.max(5000, s.timings.pollMs));
  }
}

/** `o[key]` when it is a string (tolerant reader of raw Redfish JSON). */
export function strOf(o: unknown, key: string): string | undefined {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** Python-style "k1:v1,k2:v2" capabilities string updated with `values` (Ironic's get_updated_capabilities). */
export function updateCapabilities(current: unknown, values: Record<string, string>): string {
  const caps = new Map<string, string>();
  if (typeof current === 'string' && current.trim() !== '') {
    for (const part of current.split(',')) {
      const i = part.indexOf(':');
      if (i > 0) caps.set(part.slice(0, i), part.slice(i + 1));
    }
  } else if (current && typeof current === 'object' && !Array.isArray(current)) {
    for (const [k, v] of Object.entries(current)) caps.set(k, String(v));
  }
  for (const [k, v] of Object.entries(values)) caps.set(k, v);
  return [...caps].map(([k, v]) => `${k}:${v}`).join(',');
}

/** The value of one capability of a node's properties.capabilities, if set. */
export function nodeCapability(properties: Json, name: string): string | undefined {
  const caps = properties.capabilities;
  if (typeof caps === 'string') {
    for (const part of caps.split(',')) {
      const i = part.indexOf(':');
      if (i > 0 && part.slice(0, i) === name) return part.slice(i + 1);
    }
    return undefined;
  }
  if (caps && typeof caps === 'object' && !Array.isArray(caps)) {
    const v = (caps as Json)[name];
    return v === undefined || v === null ? undefined : String(v);
  }
  return undefined;
}
