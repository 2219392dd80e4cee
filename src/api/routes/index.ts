/** Every route module of the REST API, registered in this order. */
import type { RouteModule } from '../server.ts';
import { rootRoutes } from './root.ts';
import { nodeRoutes } from './nodes.ts';
import { nodeStateRoutes } from './node-states.ts';
import { nodeManagementRoutes } from './node-management.ts';
import { nodeTraitRoutes } from './node-traits.ts';
import { nodeMiscRoutes } from './node-misc.ts';
import { nodeDataRoutes } from './node-data.ts';
import { nodeFieldRoutes } from './node-fields.ts';
import { driverRoutes } from './drivers.ts';
import { conductorRoutes } from './conductors.ts';
import { allocationRoutes } from './allocations.ts';
import { deployTemplateRoutes } from './deploy-templates.ts';
import { eventRoutes } from './events.ts';
import { shardRoutes } from './shards.ts';
import { portRoutes } from './ports.ts';
import { portgroupRoutes } from './portgroups.ts';
import { chassisRoutes } from './chassis.ts';
import { volumeRoutes } from './volume.ts';
import { ramdiskRoutes } from './ramdisk.ts';
import { nodeAttributeRoutes } from './node-attributes.ts';

export const ROUTES: RouteModule[] = [
  rootRoutes,
  nodeRoutes,
  nodeStateRoutes,
  nodeManagementRoutes,
  nodeTraitRoutes,
  nodeMiscRoutes,
  nodeDataRoutes,
  nodeFieldRoutes,
  driverRoutes,
  conductorRoutes,
  allocationRoutes,
  deployTemplateRoutes,
  eventRoutes,
  shardRoutes,
  portRoutes,
  portgroupRoutes,
  chassisRoutes,
  volumeRoutes,
  ramdiskRoutes,
  nodeAttributeRoutes,
];
