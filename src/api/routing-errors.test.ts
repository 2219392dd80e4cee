/**
 * Routing-level answers as Ironic 21.4 gives them (each checked against the real peer,
 * test/compat `routing-errors`, `attribute-paths`, `names-below-1.10`): webob bodies for
 * unknown paths, 405 with Pecan's Allow, the `/v1/nodes/<attribute>/…/{node}` forms.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/support/api-harness.ts';
import { allowHeader } from './pecan-allow.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
  assert.equal((await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'rt-a' })).status, 201);
});
after(async () => { await h.close(); });

const WEBOB_404 = '{"error_message": "{\\"code\\": 404, \\"title\\": \\"Not Found\\", \\"description\\": \\"\\"}"}';
const WEBOB_405 = '{"error_message": "{\\"code\\": 405, \\"title\\": \\"Method Not Allowed\\", \\"description\\": \\"\\"}"}';

test('unknown paths: webob 404 body, no version or request-id headers (as 21.4)', async () => {
  for (const [m, p] of [['GET', '/v1/nonexistent'], ['GET', '/v1/nonexistent/deeper'], ['GET', '/v2'], ['GET', '/foo'], ['POST', '/v1/bogus'], ['GET', '/v1/nodes/x/y/z/w']]) {
    const r = await h.req(m!, p!, m === 'POST' ? {} : undefined);
    assert.equal(r.status, 404, `${m} ${p}`);
    assert.equal(r.text, WEBOB_404, `${m} ${p}`);
    assert.equal(r.headers['x-openstack-ironic-api-version'], undefined);
    assert.equal(r.headers.allow, undefined);
  }
});

test('a method the controller lacks: 405 with the controller\'s Allow', async () => {
  const cases: [string, string, string][] = [
    ['PUT', '/v1/nodes', 'DELETE, GET, PATCH, POST'], ['PUT', '/v1/nodes/rt-a', 'DELETE, GET, PATCH, POST'],
    ['POST', '/v1/nodes/rt-a/traits/CUSTOM_A', 'DELETE, GET, PUT'], ['PATCH', '/v1/nodes/rt-a/traits/CUSTOM_A', 'DELETE, GET, PUT'],
    ['POST', '/v1/nodes/rt-a/states/console', 'GET, PUT'], ['POST', '/v1/nodes/rt-a/states', 'GET'], ['POST', '/v1/nodes/rt-a/states/power', 'GET'],
    ['GET', '/v1/nodes/rt-a/management', ''], ['POST', '/v1/nodes/rt-a/management/indicators', ''], ['GET', '/v1/nodes/rt-a/maintenance', 'DELETE, PUT'],
    ['PUT', '/v1/nodes/rt-a/vifs', 'DELETE, GET, POST'], ['PUT', '/v1/nodes/rt-a/allocation', 'DELETE, GET'], ['PUT', '/v1/nodes/rt-a/volume/connectors', 'DELETE, GET, PATCH, POST'],
    ['PUT', '/v1/drivers/fake-hardware/properties', 'GET'], ['PUT', '/v1/drivers/fake-hardware/raid/logical_disk_properties', ''],
    ['PUT', '/v1/events', 'POST'], ['PUT', '/v1/volume', 'GET'], ['HEAD', '/v1/conductors', 'GET'], ['HEAD', '/v1/nodes/rt-a/states/console', 'GET, PUT'],
    ['GET', '/v1/nodes/maintenance/rt-a', 'DELETE, PUT'], ['GET', '/v1/nodes/management', ''], ['HEAD', '/v1/nodes/maintenance/rt-a', 'DELETE, PUT'],
  ];
  for (const [m, p, allow] of cases) {
    const r = await h.req(m, p, ['POST', 'PUT', 'PATCH'].includes(m) ? {} : undefined);
    assert.equal(r.status, 405, `${m} ${p}: ${r.text}`);
    assert.equal(r.headers.allow, allow, `${m} ${p}`);
    if (m !== 'HEAD') assert.equal(r.text, WEBOB_405, `${m} ${p}`);
  }
  // Below 1.37 `traits` is no sub-controller: the node controller's Allow.
  assert.equal((await h.req('PUT', '/v1/nodes/rt-a/traits/CUSTOM_A', {}, { version: '1.36' })).headers.allow, 'DELETE, GET, PATCH, POST');
  // The v1 root answers DELETE itself (fault body), without Allow.
  const root = await h.req('DELETE', '/v1');
  assert.equal(root.status, 405);
  assert.equal(root.headers.allow, undefined);
  assert.equal(allowHeader('/v1/nonexistent', 82), undefined);
});

test('ironic-tempest-plugin\'s console path and the other attribute-controller forms', async () => {
  const c = await h.req('GET', '/v1/nodes/states/console/rt-a');
  assert.equal(c.status, 200, c.text);
  assert.deepEqual(c.body, { console_enabled: false, console_info: null });
  const s = await h.req('GET', '/v1/nodes/states/rt-a');
  assert.equal(s.body.provision_state, 'enroll');
  assert.equal(h.fault((await h.req('GET', '/v1/nodes/states/console/nonode')).body), 'Node nonode could not be found.');
  for (const [m, p] of [['GET', '/v1/nodes/states'], ['GET', '/v1/nodes/states/console'], ['PUT', '/v1/nodes/maintenance'], ['GET', '/v1/nodes/vendor_passthru']]) {
    const r = await h.req(m!, p!, m === 'PUT' ? {} : undefined);
    assert.equal(r.status, 400, `${m} ${p}`);
    assert.equal(h.fault(r.body), 'Missing mandatory parameter: node_ident');
  }
  const bad = await h.req('GET', '/v1/nodes/states/console/bad!name');
  assert.equal(h.fault(bad.body), 'Expected UUID or name for node_ident: bad!name');
  assert.equal(bad.headers['x-openstack-ironic-api-version'], '1.82', 'a method-level 400, with version headers');
  assert.equal((await h.req('PUT', '/v1/nodes/maintenance/rt-a', { reason: 'attr' })).status, 202);
  assert.equal((await h.req('GET', '/v1/nodes/rt-a')).body.maintenance_reason, 'attr');
  assert.equal((await h.req('DELETE', '/v1/nodes/maintenance/rt-a')).status, 202);
  assert.equal((await h.req('GET', '/v1/nodes/management/boot_device/rt-a')).body.boot_device, 'pxe');
  const p = await h.req('PUT', '/v1/nodes/states/power/rt-a', { target: 'power on' });
  assert.equal(p.status, 202, p.text);
});

test('node names below 1.10 are host-name safe: ~, _ and upper case are 400s', async () => {
  for (const name of ['a~b', 'a_b', 'Upper']) {
    const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name }, { version: '1.9' });
    assert.equal(r.status, 400, name);
    assert.equal(h.fault(r.body), `Cannot create node with invalid name '${name}'`);
  }
  assert.equal((await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'rt-t~1' }, { version: '1.10' })).status, 201);
  assert.equal(h.fault((await h.req('GET', '/v1/nodes/rt-t~1', undefined, { version: '1.9' })).body), 'Expected a logical name or UUID but received rt-t~1.');
  assert.equal((await h.req('GET', '/v1/nodes/rt-t~1', undefined, { version: '1.10' })).status, 200);
  const patch = await h.req('PATCH', '/v1/nodes/rt-a', [{ op: 'replace', path: '/name', value: 'x~y' }], { version: '1.9' });
  assert.equal(h.fault(patch.body), "Node rt-a: Cannot change name to invalid name 'x~y'");
});

test('a 405 a controller method raises itself (version gates) has no Allow, as in 21.4', async () => {
  for (const [p, v] of [['/v1/allocations', '1.51'], ['/v1/deploy_templates', '1.54'], ['/v1/shards', '1.81']] as const) {
    const r = await h.req('POST', p, {}, { version: v });
    assert.equal(r.status, 405, p);
    assert.equal(r.headers.allow, undefined, p);
  }
});
