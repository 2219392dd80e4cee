/**
 * `redfish` vendor interface (Ironic's RedfishVendorPassthru): node passthru methods with
 * Ironic 21.4's metadata (checked against the reference Ironic).
 *
 * - eject_vmedia (POST, async) {boot_device?: cd|dvd|usb|floppy}: eject that kind of
 *   device, or every device. Ironic 21.4 (with sushy 4.x) rejects every boot_device value
 *   because it compares strings with enums; we accept the documented names (and the
 *   Redfish CD/DVD/USBStick/Floppy) and refuse others, or kinds this BMC lacks, with
 *   Ironic's "Boot device X is not a valid value " text.
 * - create_subscription (POST, sync) {Destination, EventTypes?, Context?, Protocol?,
 *   HttpHeaders?}, delete_subscription (DELETE) {id}, get_all_subscriptions (GET),
 *   get_subscription (GET) {id}: the BMC's EventService subscriptions; results are
 *   filtered to Id, Context, Protocol, Destination, EventTypes as in Ironic.
 * `validateCall` makes the route, HTTP method and argument checks (the conductor runs it
 * before answering 202 for async methods); `call` repeats them.
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { DriverContext, VendorInterface, VendorMethod } from '../base.ts';
import type { VendorCallValidator } from '../shared/extensions.ts';
import { pyRepr } from '../shared/py-repr.ts';
import { getOptional, link } from './client/index.ts';
import type { RedfishSession } from './connection.ts';
import { RedfishBase } from './common.ts';
import { pyStr } from './driver-info.ts';
import { ejectImages, listMedia, mediaTypesOf, VMEDIA_DEVICES } from './vmedia.ts';

const meta = (http: string, description: string, isAsync: boolean): VendorMethod =>
  ({ http_methods: [http], async: isAsync, description, attach: false, require_exclusive_lock: true });

const METHODS: Readonly<Record<string, VendorMethod>> = {
  create_subscription: meta('POST', "Creates a subscription on a node. Required argument: a dictionary of {'Destination': 'destination_url'}", false),
  delete_subscription: meta('DELETE', "Delete a subscription on a node. Required argument: a dictionary of {'id': 'subscription_bmc_id'}", false),
  eject_vmedia: meta('POST', "Eject a virtual media device. If no device is provided then all attached devices will be ejected. Optional arguments: 'boot_device' - the boot device to eject, either 'cd', 'dvd', 'usb', or 'floppy'", true),
  get_all_subscriptions: meta('GET', 'Returns all subscriptions on the node.', false),
  get_subscription: meta('GET', "Get a subscription on the node. Required argument: a dictionary of {'id': 'subscription_bmc_id'}", false),
};
const SUBSCRIPTION_FIELDS = ['Id', 'Context', 'Protocol', 'Destination', 'EventTypes'];
const REDFISH_MEDIA: Readonly<Record<string, string>> = { cd: 'cd', dvd: 'dvd', usbstick: 'usb', floppy: 'floppy', usb: 'usb' };

function args(body: unknown): Json {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Json : {};
}

const filterSubscription = (j: Json): Json => Object.fromEntries(Object.entries(j).filter(([k]) => SUBSCRIPTION_FIELDS.includes(k)));

/** Ironic's Destination check: an absolute URI with a scheme and a host. */
function validUri(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try { const u = new URL(v); return u.protocol !== '' && u.hostname !== ''; } catch { return false; }
}

export class RedfishVendor extends RedfishBase implements VendorInterface, VendorCallValidator {
  override properties(): Readonly<Record<string, string>> { return {}; }

  /** Vendor methods are validated per call; the node itself needs nothing here. */
  override async validate(_ctx: DriverContext): Promise<void> {}

  methods(): Readonly<Record<string, VendorMethod>> {
    return Object.fromEntries(Object.entries(METHODS).map(([k, m]) => [k, { ...m, http_methods: [...m.http_methods] }]));
  }

  async validateCall(ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<void> {
    this.route(method, httpMethod);
    const a = args(body);
    if (method === 'eject_vmedia') {
      if (!a.boot_device) return;
      const kind = REDFISH_MEDIA[String(a.boot_device).toLowerCase()];
      const invalid = new InvalidError(`Boot device ${pyStr(a.boot_device)} is not a valid value `);
      if (!kind) throw invalid;
      const types = VMEDIA_DEVICES[kind]!.map((t) => t.toLowerCase());
      const present = await this.redfish(ctx, 'Validating eject_vmedia', async (s) =>
        (await listMedia(s)).some((vm) => mediaTypesOf(vm).some((t) => types.includes(t))));
      if (!present) throw invalid;
    } else if (method === 'create_subscription') {
      if (a.EventTypes !== undefined && a.EventTypes !== null) {
        const allowed = await this.redfish(ctx, 'Validating create_subscription', async (s) =>
          ((await this.eventService(s)).EventTypesForSubscription as string[] | undefined) ?? []);
        if (!Array.isArray(a.EventTypes) || !a.EventTypes.every((t) => allowed.includes(t as string))) {
          throw new InvalidError(`EventTypes ${pyRepr(a.EventTypes)} is not a valid value, allowed values {${allowed.map((t) => pyRepr(t)).join(', ')}}`);
        }
      }
      if ('Context' in a && typeof a.Context !== 'string') throw new InvalidError(`Context ${pyStr(a.Context)} is not a valid string`);
      if ('Protocol' in a && typeof a.Protocol !== 'string') throw new InvalidError(`Protocol ${pyStr(a.Protocol)} is not a string`);
      if (a.HttpHeaders !== undefined && a.HttpHeaders !== null && !Array.isArray(a.HttpHeaders)) {
        throw new InvalidError(`HttpHeaders ${pyStr(a.HttpHeaders)} is not a list of headers`);
      }
      if (!validUri(a.Destination)) throw new InvalidError(`Destination ${pyStr(a.Destination ?? null)} is not a valid URI`);
    } else if (method === 'delete_subscription' && !a.id) {
      throw new InvalidError("id can't be None");
    }
  }

  async call(ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<unknown> {
    await this.validateCall(ctx, method, httpMethod, body);
    const a = args(body);
    switch (method) {
      case 'eject_vmedia': {
        const kind = a.boot_device ? REDFISH_MEDIA[String(a.boot_device).toLowerCase()] : undefined;
        await this.redfish(ctx, 'Ejecting virtual media', (s) => ejectImages(s, kind ? VMEDIA_DEVICES[kind] : undefined));
        return null;
      }
      case 'create_subscription':
        return this.redfish(ctx, 'Creating an event subscription', async (s) => {
          const payload: Json = {
            Destination: a.Destination, Protocol: a.Protocol ?? 'Redfish', Context: a.Context ?? '', EventTypes: a.EventTypes ?? ['Alert'],
          };
          if (Array.isArray(a.HttpHeaders) && a.HttpHeaders.length > 0) payload.HttpHeaders = a.HttpHeaders;
          const res = await s.client.post(await this.subscriptionsUri(s), payload);
          const created = res.headers.location ? await s.client.get(res.headers.location) : (res.body as Json | undefined) ?? {};
          return filterSubscription(created);
        });
      case 'delete_subscription':
        await this.redfish(ctx, `Redfish delete_subscription for subscription ${pyStr(a.id)}`, async (s) => {
          await s.client.delete(await this.memberUri(s, String(a.id)));
        });
        return null;
      case 'get_all_subscriptions':
        return this.redfish(ctx, 'Redfish get_subscriptions', async (s) => s.client.get(await this.subscriptionsUri(s)));
      default:
        return this.redfish(ctx, `Redfish get_subscription for subscription ${pyStr(a.id)}`, async (s) =>
          filterSubscription(await s.client.get(await this.memberUri(s, String(a.id)))));
    }
  }

  private route(method: string, httpMethod: string): VendorMethod {
    const m = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
    if (!m) throw new InvalidError(`No handler for method ${method}`);
    const http = httpMethod.toUpperCase();
    if (!m.http_methods.includes(http)) throw new InvalidError(`The method ${method} does not support HTTP ${http}`);
    return m;
  }

  private async eventService(s: RedfishSession): Promise<Json> {
    const es = await getOptional(s.client, link(await s.client.serviceRoot(), 'EventService'));
    if (!es) {
      throw new DriverError(`The Redfish EventService was not found for node ${s.ctx.node.uuid}: the BMC at ${s.info.address} does not offer event subscriptions.`,
        { reason: 'redfish_no_event_service' });
    }
    return es;
  }

  private async subscriptionsUri(s: RedfishSession): Promise<string> {
    const uri = link(await this.eventService(s), 'Subscriptions');
    if (!uri) throw new DriverError(`The Redfish EventService of node ${s.ctx.node.uuid} has no Subscriptions collection.`, { reason: 'redfish_no_event_service' });
    return uri;
  }

  private async memberUri(s: RedfishSession, id: string): Promise<string> {
    const base = await this.subscriptionsUri(s);
    return `${base}${base.endsWith('/') ? '' : '/'}${encodeURIComponent(id)}`;
  }
}
