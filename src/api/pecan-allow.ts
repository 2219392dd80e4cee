/**
 * Which of Ironic's Pecan controllers a `/v1` path reaches, and the `Allow` header its 405
 * carries. Pecan answers a method a controller does not have with a webob 405 whose
 * `Allow` lists, sorted, the HTTP methods that controller class defines (GET for any of
 * get/get_one/get_all, plus POST, PUT, PATCH, DELETE it has); custom actions (`states/power`,
 * `nodes/detail`, …) do not count. A controller with none (`management`, `drivers/{d}/raid`)
 * sends an empty `Allow`. Checked against 21.4 (test/compat, `head-requests`, `allow-405`).
 *
 * This mirrors routing only as far as 405s need: which controller owns the path. Whether a
 * method exists there at a given microversion stays with the route modules.
 */

const CRUD = ['DELETE', 'GET', 'PATCH', 'POST'];
const GET = ['GET'];

/** Node sub-controllers of NodesController._subcontroller_map (and attribute controllers). */
function nodeSub(word: string, rest: string[], version: number): string[] {
  switch (word) {
    case 'states': return rest[0] === 'console' ? ['GET', 'PUT'] : GET;
    case 'management': return managementAllow();
    case 'maintenance': return ['DELETE', 'PUT'];
    case 'ports': case 'portgroups': return CRUD;
    case 'vifs': return ['DELETE', 'GET', 'POST'];
    case 'volume': return volumeAllow(rest);
    // Below 1.37 `traits` is not a sub-controller: the node controller keeps the request.
    case 'traits': return version >= 37 ? ['DELETE', 'GET', 'PUT'] : CRUD;
    case 'bios': case 'history': case 'inventory': return GET;
    case 'allocation': return ['DELETE', 'GET'];
    default: return CRUD;
  }
}

/**
 * NodeManagementController defines no method; its children (boot_device, inject_nmi,
 * indicators) are reached by custom routing, so a 405 anywhere below it is its own: empty.
 */
function managementAllow(): string[] {
  return [];
}

function volumeAllow(rest: string[]): string[] {
  return rest[0] === 'connectors' || rest[0] === 'targets' ? CRUD : GET;
}

/** Class attributes of NodesController: `/v1/nodes/states/…` reaches the states controller itself. */
const NODE_ATTRIBUTES = new Set(['states', 'management', 'maintenance']);

function nodesAllow(rest: string[], version: number): string[] {
  if (rest.length === 0) return CRUD;
  if (NODE_ATTRIBUTES.has(rest[0]!)) return nodeSub(rest[0]!, rest.slice(1), version);
  if (rest.length === 1) return CRUD;
  return nodeSub(rest[1]!, rest.slice(2), version);
}

/**
 * The methods of the controller that owns `path` (a `/v1/...` path without query), or
 * undefined when no controller does (the path is a 404 for every method).
 */
export function controllerMethods(path: string, version: number): string[] | undefined {
  const segs = path.split('/').filter((s) => s !== '');
  if (segs[0] !== 'v1' || segs.length < 2) return undefined;
  const [top, ...rest] = segs.slice(1) as [string, ...string[]];
  switch (top) {
    case 'nodes': return nodesAllow(rest, version);
    case 'chassis': return rest.length >= 2 && rest[1] === 'nodes' ? nodesAllow(rest.slice(2), version) : CRUD;
    case 'portgroups': case 'ports': case 'allocations': case 'deploy_templates': return CRUD;
    case 'volume': return volumeAllow(rest);
    case 'drivers': return rest[1] === 'raid' || rest[1] === 'vendor_passthru' ? [] : GET;
    case 'conductors': case 'shards': return GET;
    case 'events': return ['POST'];
    default: return undefined;
  }
}

/** The `Allow` header value Ironic sends with a 405 on `path`. */
export function allowHeader(path: string, version: number): string | undefined {
  return controllerMethods(path, version)?.join(', ');
}
