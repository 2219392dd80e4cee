/**
 * /v1/drivers: hardware types, their properties, RAID logical disk properties and
 * driver-level vendor passthru. Data comes from the conductor (ConductorApi.listDrivers,
 * getDriver, driverProperties, raidLogicalDiskProperties, driverVendorPassthruMethods).
 *
 * Quirks kept from Ironic 21.4: `GET /v1/drivers/<name>/<word>` is "get one with
 * ?fields=<word>"; an unknown driver is "Could not find the following driver(s) or
 * hardware type(s): x." on GET one but "The driver 'x' is unknown." on its sub-resources.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import type { DriverDetail } from '../../contracts/rpc.ts';
import { InvalidError, NotAcceptableError, NotFoundError } from '../../core/errors.ts';
import { supports, publicUrl } from '../context.ts';
import { queryOf, parseBool } from '../params.ts';
import { RoutingError } from '../errors.ts';
import { fieldsArg, checkInvalidFields } from '../listing.ts';
import { renderDriver, pickDriverFields } from '../views/driver.ts';

const NEEDS_130 = 'Request not acceptable. The minimal required API version should be 1.30';

async function findDriver(deps: ApiDeps, name: string, unknownMessage: 'get' | 'sub'): Promise<DriverDetail> {
  const all = await deps.conductor.listDrivers();
  const d = all.find((x) => x.name === name);
  if (d) return d;
  throw new NotFoundError(unknownMessage === 'get'
    ? `Could not find the following driver(s) or hardware type(s): ${name}.`
    : `The driver '${name}' is unknown.`);
}

function checkFieldsVersion(req: FastifyRequest, fields: string[] | undefined): void {
  if (fields !== undefined && !supports(req, 'driver_fields')) throw new NotAcceptableError('Request not acceptable.');
}

/** GET one (always detailed), optionally restricted to `fields`. */
async function getOne(req: FastifyRequest, deps: ApiDeps, name: string, fields: string[] | undefined): Promise<Record<string, unknown>> {
  checkFieldsVersion(req, fields);
  const d = await findDriver(deps, name, 'get');
  const out = pickDriverFields(renderDriver(d, publicUrl(req, deps.config.publicUrl), req.apiVersion, true), fields);
  checkInvalidFields(fields, Object.keys(out));
  return out;
}

async function vendorPassthru(req: FastifyRequest, deps: ApiDeps, name: string, method: string | undefined): Promise<unknown> {
  if (method === undefined) throw new InvalidError('Missing mandatory parameter: method');
  if (!method) throw new InvalidError('Method not specified');
  await findDriver(deps, name, 'sub');
  const methods = await deps.conductor.driverVendorPassthruMethods(name);
  if (!(method in methods)) throw new InvalidError(`No handler for method ${method}`);
  // No built-in hardware type offers driver-level vendor methods; a method listed by a
  // future implementation but not callable through the conductor contract is refused.
  throw new InvalidError(`The method ${method} of driver ${name} can not be called through this API.`);
}

export function driverRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/drivers', async (req) => {
    const q = queryOf(req, ['type', 'detail', 'fields']);
    const detail = parseBool('detail', q.detail);
    const fields = fieldsArg(q.fields);
    if (fields && detail) throw new InvalidError('Can not specify ?detail=True and fields in the same request.');
    if (detail !== undefined && !supports(req, 'dynamic_drivers')) throw new NotAcceptableError(NEEDS_130);
    if (q.type !== undefined && !supports(req, 'dynamic_drivers')) throw new NotAcceptableError(NEEDS_130);
    checkFieldsVersion(req, fields);
    if (q.type !== undefined && q.type !== 'classic' && q.type !== 'dynamic') {
      throw new InvalidError('"type" filter must be one of "classic" or "dynamic", if specified.');
    }
    if (q.type === 'classic') return { drivers: [] };
    const base = publicUrl(req, deps.config.publicUrl);
    const all = [...await deps.conductor.listDrivers()].sort((a, b) => a.name.localeCompare(b.name));
    const drivers = all.map((d) => {
      const out = pickDriverFields(renderDriver(d, base, req.apiVersion, detail === true), fields);
      checkInvalidFields(fields, Object.keys(out));
      return out;
    });
    return { drivers };
  });

  app.get<{ Params: { name: string } }>('/v1/drivers/:name', async (req) => {
    const q = queryOf(req, ['fields']);
    return getOne(req, deps, req.params.name, fieldsArg(q.fields));
  });

  app.get<{ Params: { name: string } }>('/v1/drivers/:name/properties', async (req) => {
    queryOf(req, []);
    await findDriver(deps, req.params.name, 'sub');
    return deps.conductor.driverProperties(req.params.name);
  });

  app.get<{ Params: { name: string } }>('/v1/drivers/:name/raid/logical_disk_properties', async (req) => {
    queryOf(req, []);
    if (!supports(req, 'raid')) throw new NotAcceptableError('Request not acceptable.');
    await findDriver(deps, req.params.name, 'sub');
    return deps.conductor.raidLogicalDiskProperties(req.params.name);
  });

  app.get<{ Params: { name: string } }>('/v1/drivers/:name/vendor_passthru/methods', async (req) => {
    queryOf(req, []);
    await findDriver(deps, req.params.name, 'sub');
    return deps.conductor.driverVendorPassthruMethods(req.params.name);
  });

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route<{ Params: { name: string } }>({
      method, url: '/v1/drivers/:name/vendor_passthru',
      handler: async (req) => vendorPassthru(req, deps, req.params.name, queryOf(req, ['method']).method),
    });
    app.route<{ Params: { name: string; method: string } }>({
      method, url: '/v1/drivers/:name/vendor_passthru/:method',
      handler: async (req) => { queryOf(req, []); return vendorPassthru(req, deps, req.params.name, req.params.method); },
    });
  }

  // Ironic routes an unknown sub-path word to "get one with ?fields=<word>".
  app.get<{ Params: { name: string; word: string } }>('/v1/drivers/:name/:word', async (req) => {
    queryOf(req, []);
    return getOne(req, deps, req.params.name, fieldsArg(req.params.word));
  });

  const notAllowed = async () => { throw new RoutingError(405); };
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method, url: '/v1/drivers', handler: notAllowed });
    app.route({ method, url: '/v1/drivers/:name', handler: notAllowed });
  }
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/drivers/:name/raid', handler: notAllowed });
  app.get('/v1/drivers/:name/raid', notAllowed);
}
