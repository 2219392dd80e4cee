/**
 * The 21.4 quirk: `/v1/nodes/{ident}/<word>` for a word that is not a sub-resource is the
 * node controller with an extra argument (GET → `?fields=<word>`, DELETE → 404, PUT → 405).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';

let h: Harness;
let uuid: string;
const A = '/v1/nodes/fd-a';

before(async () => {
  h = await startHarness();
  uuid = (await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'fd-a' })).body.uuid;
});
after(async () => { await h.close(); });

async function fails(method: string, url: string, status: number, text: string, version?: string) {
  const r = await h.req(method, url, undefined, version ? { version } : {});
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text);
}
const webob = (r: { body: any }) => JSON.parse(r.body.error_message);
const links = [{ href: `http://localhost:80/v1/nodes/${'U'}`, rel: 'self' }, { href: `http://localhost:80/nodes/${'U'}`, rel: 'bookmark' }];
const withUuid = (l: typeof links) => l.map((x) => ({ ...x, href: x.href.replace('U', uuid) }));

test('GET a field name returns just that field (case-insensitive, comma lists)', async () => {
  assert.deepEqual((await h.req('GET', `${A}/name`)).body, { name: 'fd-a', links: withUuid(links) });
  assert.deepEqual((await h.req('GET', `${A}/NAME`)).body, { name: 'fd-a', links: withUuid(links) });
  assert.deepEqual((await h.req('GET', `${A}/name,uuid`)).body, { uuid, name: 'fd-a', links: withUuid(links) });
});

test('GET an unknown word: 400 at 1.8+, 406 below; later fields 406; node first', async () => {
  for (const w of ['foo', 'firmware', 'children', 'vmedia']) await fails('GET', `${A}/${w}`, 400, `Field ${w} is not a valid field.`);
  await fails('GET', `${A}/foo`, 406, 'Request not acceptable.', '1.7');
  await fails('GET', `/v1/nodes/${uuid}/foo`, 406, 'Request not acceptable.', '1.7');
  await fails('GET', `${A}/shard`, 406, 'Request not acceptable.', '1.81');
  await fails('GET', '/v1/nodes/nope/foo', 404, 'Node nope could not be found.');
  await fails('GET', `${A}/name?x=1`, 400, 'Unexpected arguments: x');
  await fails('GET', `${A}/name?fields=uuid`, 400, 'Unexpected arguments: fields');
  const r = await h.req('GET', '/v1/nodes/bad%20x/foo');
  assert.deepEqual([r.status, webob(r).description], [400, 'Expected UUID or name for node: bad x']);
});

test('sub-resource words below their version are routing 404s', async () => {
  for (const [w, v] of [['bios', '1.39'], ['history', '1.77'], ['inventory', '1.80'], ['vifs', '1.27'], ['portgroups', '1.23'], ['allocation', '1.51']]) {
    const r = await h.req('GET', `${A}/${w}`, undefined, { version: v });
    assert.deepEqual([r.status, webob(r)], [404, { code: 404, title: 'Not Found', description: '' }], w);
  }
});

test('DELETE with a word: 404 (405 for states/management), the node stays; PUT: 405', async () => {
  for (const w of ['foo', 'name', 'validate', 'detail']) await fails('DELETE', `${A}/${w}`, 404, 'Resource could not be found.');
  await fails('DELETE', `${A}/foo?x=1`, 400, 'Unexpected arguments: x');
  for (const w of ['states', 'management']) assert.equal((await h.req('DELETE', `${A}/${w}`)).status, 405, w);
  for (const w of ['foo', 'name', 'states', 'management', 'validate']) assert.equal((await h.req('PUT', `${A}/${w}`)).status, 405, w);
  assert.equal((await h.req('GET', A)).status, 200);
});
