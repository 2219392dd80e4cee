import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import pino from 'pino';
import { startService } from '../../src/bin/service.ts'; import { loadConfig } from '../../src/config/config.ts';
import { NodeRepo } from '../../src/db/nodes.ts';
import { renderNode } from '../../src/api/views/node.ts';
const d = mkdtempSync(join(tmpdir(), 'ingot-ci-list-'));
const svc = await startService(loadConfig({}, { dataDir: d, db: join(d, 't.db') }), { listen: false, periodics: false, logger: pino({ level: 'warn' }) });
const H = { 'x-openstack-ironic-api-version': '1.82', 'content-type': 'application/json' };
for (let i = 0; i < 500; i++) await svc.api.inject({ method: 'POST', url: '/v1/nodes', headers: H, payload: { driver: 'fake-hardware', name: `n${i}` } });
const repo = new NodeRepo(svc.db.kysely);
const ctx = { version: 82, base: 'http://x', chassisUuid: () => null, allocationUuid: () => null, conductorFor: () => 'c' };
for (let k = 0; k < 5; k++) {
  let t = performance.now(); const nodes = await repo.list({}, { limit: 1000, sortKey: 'id', sortDir: 'asc' }); const tDb = performance.now() - t;
  t = performance.now(); const items = nodes.map((n) => renderNode(n, ctx)); const tR = performance.now() - t;
  t = performance.now(); const s = JSON.stringify({ nodes: items }); const tS = performance.now() - t;
  t = performance.now(); await svc.api.inject({ method: 'GET', url: '/v1/nodes?detail=True', headers: H }); const tAll = performance.now() - t;
  console.log(`db ${tDb.toFixed(1)} render ${tR.toFixed(1)} stringify ${tS.toFixed(1)} full inject ${tAll.toFixed(1)} ms (${s.length} B)`);
}
await svc.close();
