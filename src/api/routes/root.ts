/** GET / and GET /v1: version discovery documents. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { MAX_VERSION, MIN_VERSION, versionString, supports as supportsAt, type Feature } from '../../contracts/versions.ts';
import { publicUrl } from '../context.ts';
import { IngotError } from '../../core/errors.ts';

function versionDoc(base: string) {
  return { id: 'v1', links: [{ href: `${base}/v1/`, rel: 'self' }], status: 'CURRENT', min_version: versionString(MIN_VERSION), version: versionString(MAX_VERSION) };
}

function v1Doc(req: FastifyRequest, base: string) {
  const link = (r: string) => [{ href: `${base}/v1/${r}/`, rel: 'self' }, { href: `${base}/${r}/`, rel: 'bookmark' }];
  const doc: Record<string, unknown> = {
    id: 'v1',
    links: [
      { href: `${base}/v1/`, rel: 'self' },
      { href: 'https://docs.openstack.org//ironic/latest/contributor//webapi.html', rel: 'describedby', type: 'text/html' },
    ],
    media_types: { base: 'application/json', type: 'application/vnd.openstack.ironic.v1+json' },
    chassis: link('chassis'), nodes: link('nodes'), ports: link('ports'), drivers: link('drivers'),
    version: versionDoc(base),
  };
  const opt: [string, Feature][] = [['portgroups', 'portgroups'], ['volume', 'volume'], ['lookup', 'ramdisk_endpoints'],
    ['heartbeat', 'ramdisk_endpoints'], ['conductors', 'conductors'], ['allocations', 'allocations'], ['events', 'events'],
    ['deploy_templates', 'deploy_templates'], ['shards', 'shards']];
  for (const [name, f] of opt) if (supportsAt(req.apiVersion, f)) doc[name] = link(name);
  return doc;
}

export function rootRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // 21.4's root controller answers every method with the document.
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/',
    handler: async (req) => {
      const base = publicUrl(req, deps.config.publicUrl);
      return {
        name: 'OpenStack Ironic API',
        description: 'Ironic is an OpenStack project which enables the provision and management of baremetal machines.',
        default_version: versionDoc(base),
        versions: [versionDoc(base)],
      };
    },
  });
  app.get('/v1', async (req) => v1Doc(req, publicUrl(req, deps.config.publicUrl)));
  // Other methods on /v1 fail inside the v1 controller: a fault body with version headers.
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method: m, url: '/v1', handler: async () => { throw new IngotError('MethodNotAllowed', 'The server could not comply with the request since it is either malformed or otherwise incorrect.'); } });
  }
}
