/**
 * /v1/nodes/{ident}/management: boot_device (GET, PUT), boot_device/supported (GET),
 * inject_nmi (PUT, 1.29) and indicators (GET list, GET/PUT one as `<name>@<component>`).
 *
 * Checks run in Ironic's order: declared arguments (unexpected, node_ident syntax,
 * types, mandatory ones), then the version, then the node, then the conductor.
 * Indicators carry no version check in 21.4 (reachable at any version), and neither do
 * we. Every other method on these paths is 405 (Pecan's answer).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotFoundError } from '../../core/errors.ts';
import { publicUrl, makeLinks, supports } from '../context.ts';
import { RoutingError } from '../errors.ts';
import { mergedArgs, stringArg, boolArg, required, checkIdentArg, checkRoutingIdent, loadNode } from './node-args.ts';

type P = { Params: { ident: string } };
type PDev = { Params: { ident: string; device: string } };
type PInd = { Params: { ident: string; indicator: string } };

/** `<name>@<component>` → parts (the component is after the FIRST `@`, as in Ironic). */
export function splitIndicator(unique: string): { name: string; component: string } {
  const i = unique.indexOf('@');
  if (i === -1) throw new InvalidError(`Malformed indicator name "${unique}"`);
  return { name: unique.slice(0, i), component: unique.slice(i + 1) };
}

/** GET indicators: one entry per indicator, links under the ident as the client gave it. */
export function indicatorList(base: string, ident: string, all: Record<string, Record<string, { readonly?: boolean; states?: string[] }>>): { indicators: unknown[] } {
  const out: unknown[] = [];
  for (const [component, names] of Object.entries(all)) {
    for (const [name, f] of Object.entries(names)) {
      const unique = `${name}@${component}`;
      out.push({
        name: unique, component, readonly: f.readonly ?? true, states: f.states ?? [],
        links: makeLinks(base, 'nodes', `${ident}/management/indicators/${unique}`),
      });
    }
  }
  return { indicators: out };
}

async function setBootDevice(req: FastifyRequest<P>, deps: ApiDeps, pathDevice?: string): Promise<void> {
  const a = mergedArgs(req, pathDevice === undefined ? ['boot_device', 'persistent'] : ['persistent']);
  checkIdentArg(req.params.ident);
  const device = required('boot_device', stringArg('boot_device', pathDevice ?? a.boot_device));
  const persistent = boolArg('persistent', a.persistent) ?? false;
  const n = await loadNode(req, deps, req.params.ident);
  await deps.conductor.setBootDevice(n.id, device, persistent);
}

export function nodeManagementRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const M = '/v1/nodes/:ident/management';
  const notAllowed = async (req: FastifyRequest<P>) => { checkRoutingIdent(req.params.ident); throw new RoutingError(405); };

  app.get<P>(`${M}/boot_device`, async (req) => {
    mergedArgs(req, []);
    checkIdentArg(req.params.ident);
    const n = await loadNode(req, deps, req.params.ident);
    return deps.conductor.getBootDevice(n.id);
  });
  app.put<P>(`${M}/boot_device`, async (req, reply) => {
    await setBootDevice(req, deps);
    return reply.code(204).send();
  });
  // Pecan passes a trailing path word as the positional boot_device.
  app.put<PDev>(`${M}/boot_device/:device`, async (req, reply) => {
    await setBootDevice(req, deps, req.params.device);
    return reply.code(204).send();
  });
  app.get<P>(`${M}/boot_device/supported`, async (req) => {
    mergedArgs(req, []);
    checkIdentArg(req.params.ident);
    const n = await loadNode(req, deps, req.params.ident);
    return { supported_boot_devices: await deps.conductor.getSupportedBootDevices(n.id) };
  });

  app.put<P>(`${M}/inject_nmi`, async (req, reply) => {
    mergedArgs(req, []);
    checkIdentArg(req.params.ident);
    if (!supports(req, 'inject_nmi')) throw new NotFoundError('Resource could not be found.');
    const n = await loadNode(req, deps, req.params.ident);
    await deps.conductor.injectNmi(n.id);
    return reply.code(204).send();
  });

  // get_all takes **kwargs in Ironic: extra arguments are ignored, not refused.
  app.get<P>(`${M}/indicators`, async (req) => {
    checkIdentArg(req.params.ident);
    const n = await loadNode(req, deps, req.params.ident);
    const all = await deps.conductor.getIndicators(n.id);
    return indicatorList(publicUrl(req, deps.config.publicUrl), req.params.ident, all);
  });
  app.get<PInd>(`${M}/indicators/:indicator`, async (req) => {
    mergedArgs(req, []);
    checkIdentArg(req.params.ident);
    const n = await loadNode(req, deps, req.params.ident);
    const { name, component } = splitIndicator(req.params.indicator);
    return { state: await deps.conductor.getIndicatorState(n.id, component, name) };
  });
  app.put<PInd>(`${M}/indicators/:indicator`, async (req, reply) => {
    const a = mergedArgs(req, ['state']);
    checkIdentArg(req.params.ident);
    const state = required('state', stringArg('state', a.state));
    const n = await loadNode(req, deps, req.params.ident);
    const { name, component } = splitIndicator(req.params.indicator);
    await deps.conductor.setIndicatorState(n.id, component, name, state);
    return reply.code(204).send();
  });
  app.put<P>(`${M}/indicators`, async (req) => {
    mergedArgs(req, ['state']);
    checkIdentArg(req.params.ident);
    throw new InvalidError('Missing mandatory parameter: indicator');
  });

  app.get<P>(M, notAllowed);
  app.put<P>(M, notAllowed);
  app.get<P>(`${M}/:other`, notAllowed);
  app.post<P>(`${M}/boot_device`, notAllowed);
  app.delete<P>(`${M}/boot_device`, notAllowed);
  app.get<P>(`${M}/inject_nmi`, notAllowed);
  app.post<P>(`${M}/inject_nmi`, notAllowed);
}
