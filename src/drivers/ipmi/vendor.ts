/**
 * `ipmitool` vendor passthru (Ironic's VendorPassthru): `send_raw` {raw_bytes} and
 * `bmc_reset` {warm=True}, both POST, asynchronous and under the exclusive lock, with
 * Ironic's descriptions. They answer nothing (Ironic discards ipmitool's output; it is
 * logged here). `validateCall`: route, HTTP method, raw_bytes present, driver_info.
 */
import { InvalidError } from '../../core/errors.ts';
import type { DriverContext, VendorInterface, VendorMethod } from '../base.ts';
import type { VendorCallValidator } from '../shared/extensions.ts';
import { IpmiBase } from './common.ts';
import { boolFromString } from './driver-info.ts';

const meta = (description: string): VendorMethod =>
  ({ http_methods: ['POST'], async: true, description, attach: false, require_exclusive_lock: true });

const METHODS: Readonly<Record<string, VendorMethod>> = {
  send_raw: meta("Send raw bytes to the BMC. Required argument: 'raw_bytes' - a string of raw bytes (e.g. '0x00 0x01')."),
  bmc_reset: meta("Reset the BMC. Required argument: 'warm' (Boolean) - for warm (True) or cold (False) reset."),
};

const args = (body: unknown): Record<string, unknown> =>
  (typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : {});

export class IpmiVendor extends IpmiBase implements VendorInterface, VendorCallValidator {
  methods(): Readonly<Record<string, VendorMethod>> {
    return Object.fromEntries(Object.entries(METHODS).map(([k, m]) => [k, { ...m, http_methods: [...m.http_methods] }]));
  }

  async validateCall(ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<void> {
    const m = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
    if (!m) throw new InvalidError(`No handler for method ${method}`);
    const http = httpMethod.toUpperCase();
    if (!m.http_methods.includes(http)) throw new InvalidError(`The method ${method} does not support HTTP ${http}`);
    if (method === 'send_raw' && !args(body).raw_bytes) throw new InvalidError('Parameter raw_bytes (string of bytes) was not specified.');
    await this.info(ctx);
  }

  async call(ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<unknown> {
    await this.validateCall(ctx, method, httpMethod, body);
    const info = await this.info(ctx);
    const a = args(body);
    const cmd = method === 'send_raw' ? `raw ${String(a.raw_bytes)}` : `bmc reset ${boolFromString(a.warm ?? true) ? 'warm' : 'cold'}`;
    const { stdout, stderr } = await this.tool.exec(ctx, info, cmd);
    ctx.logger.debug({ node: ctx.node.uuid, cmd, stdout, stderr }, `${method} returned`);
    return null;
  }
}
