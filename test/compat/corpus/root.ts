/** Root documents and version negotiation. */
import type { Scenario, Step } from '../runner.ts';

const VERSIONS: (string | null)[] = [null, 'latest', '1.1', '1.5', '1.11', '1.31', '1.37', '1.52', '1.82', '1.83', '2.0', '0.9', '1.0', 'garbage', '1', '1.', '1.82.1', ' 1.50 ', 'LATEST', '1.082'];

export const rootScenarios: Scenario[] = [
  {
    name: 'root',
    steps: [
      { path: '/', version: null },
      { path: '/', version: '1.82' },
      { path: '/', version: 'garbage' },
      { path: '/', method: 'POST', version: null, body: {} },
      ...VERSIONS.map((v): Step => ({ path: '/v1', version: v })),
      { path: '/v1/', version: '1.50' },
      { path: '/v1/', method: 'POST', body: {} },
      { path: '/v1', method: 'DELETE' },
      { path: '/v1/nonexistent' },
      { path: '/v2' },
      { path: '/v1/nodes.json', version: '1.1' },
    ],
  },
  {
    name: 'negotiation',
    steps: [
      ...VERSIONS.map((v): Step => ({ path: '/v1/nodes', version: v })),
      ...['1.1', '1.22', '1.23', '1.31', '1.32', '1.48', '1.49', '1.51', '1.52', '1.54', '1.55', '1.81', '1.82'].flatMap((v): Step[] => [
        { path: '/v1/portgroups', version: v },
        { path: '/v1/volume', version: v },
        { path: '/v1/conductors', version: v },
        { path: '/v1/allocations', version: v },
        { path: '/v1/deploy_templates', version: v },
        { path: '/v1/shards', version: v },
      ]),
      { path: '/v1/allocations', method: 'POST', version: '1.51', body: {} },
      { path: '/v1/deploy_templates', method: 'POST', version: '1.54', body: {} },
      { path: '/v1/shards', method: 'POST', version: '1.81', body: {} },
      { path: '/v1/events', method: 'POST', version: '1.53', body: { events: [] } },
      { path: '/v1/lookup', version: '1.21' },
      { path: '/v1/nodes', headers: { 'openstack-api-version': 'baremetal 1.50' }, version: null },
    ],
  },
];
