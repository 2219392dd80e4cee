/** Every route module of the REST API, registered in this order. */
import type { RouteModule } from '../server.ts';
import { rootRoutes } from './root.ts';
import { nodeRoutes } from './nodes.ts';
import { nodeStateRoutes } from './node-states.ts';

export const ROUTES: RouteModule[] = [
  rootRoutes,
  nodeRoutes,
  nodeStateRoutes,
];
