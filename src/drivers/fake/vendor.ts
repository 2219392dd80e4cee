/**
 * Fake vendor passthru.
 *
 * Ironic 21.4's `fake` vendor entry point is FakeVendorB alone (FakeVendorA is only
 * listed in fake-hardware's supported classes, which do not affect loading), so a
 * fake-hardware node offers second_method, third_method_sync and
 * fourth_method_shared_lock, and `properties()` is {B1, B2}; first_method answers
 * "No handler for method first_method" (verified against Ironic 21.4). `FakeVendorA` is
 * provided for completeness but is not registered.
 *
 * Each method POSTs `{bar}` and returns whether bar equals its magic word. Dispatch texts
 * are Ironic's conductor ones: unknown method, wrong HTTP method, missing `bar`.
 */
import { InvalidError } from '../../core/errors.ts';
import type { DriverContext, VendorInterface, VendorMethod } from '../base.ts';
import { FakeBase } from './common.ts';
import type { VendorCallValidator } from '../shared/extensions.ts';

/** A passthru method: its metadata, the magic word, and whether `bar` is checked. */
interface FakeMethod { meta: VendorMethod; word: string; needsBar: boolean }

const post = (description: string, over: Partial<VendorMethod> = {}): VendorMethod =>
  ({ http_methods: ['POST'], async: true, attach: false, description, require_exclusive_lock: true, ...over });

/** Python truthiness of a JSON value (Ironic checks `if not bar`). */
function pyTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return Boolean(v);
}

function bodyOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : {};
}

/** Shared dispatch of the fake vendor classes (routes keyed in Ironic's alphabetical order). */
abstract class FakeVendorBase extends FakeBase implements VendorInterface, VendorCallValidator {
  protected abstract readonly routes: Readonly<Record<string, FakeMethod>>;

  methods(): Readonly<Record<string, VendorMethod>> {
    return Object.fromEntries(Object.entries(this.routes).map(([k, m]) => [k, { ...m.meta, http_methods: [...m.meta.http_methods] }]));
  }

  /** Lookup, HTTP method and argument checks, without running the method. */
  async validateCall(_ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<void> {
    this.route(method, httpMethod, body);
  }

  /** Run the method (after `validateCall`'s checks); resolves its boolean result. */
  async call(ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<unknown> {
    const m = this.route(method, httpMethod, body);
    await this.pause(ctx, method);
    return bodyOf(body).bar === m.word;
  }

  private route(method: string, httpMethod: string, body: unknown): FakeMethod {
    const m = Object.hasOwn(this.routes, method) ? this.routes[method] : undefined;
    if (!m) throw new InvalidError(`No handler for method ${method}`);
    const http = httpMethod.toUpperCase();
    if (!m.meta.http_methods.includes(http)) throw new InvalidError(`The method ${method} does not support HTTP ${http}`);
    if (m.needsBar && !pyTruthy(bodyOf(body).bar)) throw new InvalidError(`Parameter 'bar' not passed to method '${method}'.`);
    return m;
  }
}

/** Ironic's FakeVendorB: the `fake` vendor interface. */
export class FakeVendor extends FakeVendorBase {
  protected readonly routes: Readonly<Record<string, FakeMethod>> = {
    fourth_method_shared_lock: { meta: post('Test if the value of bar is woof', { require_exclusive_lock: false }), word: 'woof', needsBar: true },
    second_method: { meta: post('Test if the value of bar is kazoo'), word: 'kazoo', needsBar: true },
    third_method_sync: { meta: post('Test if the value of bar is meow', { async: false }), word: 'meow', needsBar: true },
  };

  override properties(): Readonly<Record<string, string>> {
    return { B1: 'B1 description. Required.', B2: 'B2 description. Required.' };
  }
}

/** Ironic's FakeVendorA (first_method, properties A1/A2). NOT registered: see the module doc. */
export class FakeVendorA extends FakeVendorBase {
  protected readonly routes: Readonly<Record<string, FakeMethod>> = {
    first_method: { meta: post('Test if the value of bar is baz'), word: 'baz', needsBar: true },
  };

  override properties(): Readonly<Record<string, string>> {
    return { A1: 'A1 description. Required.', A2: 'A2 description. Optional.' };
  }
}
