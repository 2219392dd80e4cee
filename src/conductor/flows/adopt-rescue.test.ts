/**
 * What adoption and rescue leave in instance_info / driver_internal_info, as Ironic 21.4
 * writes it (checked on the reference peer with fake-hardware): the image type on adopt;
 * on rescue the password and a crypt(3) hash of it, masked in API answers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitState, type Harness } from '../../../test/support/api-harness.ts';
import { shaCrypt } from '../../core/sha-crypt.ts';

let h: Harness;
let h512: Harness;
before(async () => {
  h = await startHarness();
  h512 = await startHarness({ rescuePasswordHashAlgorithm: 'sha512' });
});
after(async () => { await Promise.all([h.close(), h512.close()]); });

const prov = (hh: Harness, n: string, body: Record<string, unknown>) => hh.req('PUT', `/v1/nodes/${n}/states/provision`, body);

async function adopted(hh: Harness, name: string, instanceInfo: Record<string, unknown>): Promise<any> {
  assert.equal((await hh.req('POST', '/v1/nodes', { driver: 'fake-hardware', name, rescue_interface: 'fake', instance_info: instanceInfo })).status, 201);
  assert.equal((await prov(hh, name, { target: 'manage' })).status, 202);
  await waitState(hh, name, 'manageable');
  assert.equal((await prov(hh, name, { target: 'adopt' })).status, 202);
  return waitState(hh, name, 'active');
}

/** instance_info as stored (the API masks the secrets). */
async function stored(hh: Harness, name: string): Promise<Record<string, any>> {
  const row = await hh.svc.db.kysely.selectFrom('nodes').select('instance_info').where('name', '=', name).executeTakeFirstOrThrow();
  return JSON.parse(String(row.instance_info));
}

test('adopt records the image type (whole disk, partition, none for Glance)', async () => {
  const wd = await adopted(h, 'ad-wd', { image_source: 'http://x/img', foo: 'bar' });
  assert.deepEqual(wd.instance_info, { image_source: 'http://x/img', foo: 'bar', image_type: 'whole-disk' });
  assert.deepEqual(wd.driver_internal_info, { is_whole_disk_image: true });
  const part = await adopted(h, 'ad-part', { image_source: 'http://x/img', kernel: 'k', ramdisk: 'r' });
  assert.equal(part.instance_info.image_type, 'partition');
  assert.deepEqual(part.driver_internal_info, { is_whole_disk_image: false });
  const glance = await adopted(h, 'ad-glance', { image_source: '6e3a3ef5-5b5f-4c1d-9a3f-0c1d0f0e0a11' });
  assert.deepEqual(glance.instance_info, { image_source: '6e3a3ef5-5b5f-4c1d-9a3f-0c1d0f0e0a11' });
  assert.deepEqual(glance.driver_internal_info, {});
  const none = await adopted(h, 'ad-none', {});
  assert.deepEqual([none.instance_info, none.driver_internal_info], [{}, {}]);
});

test('rescue stores the password and a SHA-256 crypt(3) hash of it, both masked; unrescue leaves them (fake rescue)', async () => {
  await adopted(h, 'rs-a', { image_source: 'http://x/img' });
  assert.equal((await prov(h, 'rs-a', { target: 'rescue', rescue_password: 'secret pw' })).status, 202);
  const n = await waitState(h, 'rs-a', 'rescue');
  assert.deepEqual(n.instance_info, { image_source: 'http://x/img', image_type: 'whole-disk', rescue_password: '******', hashed_rescue_password: '******' });
  const ii = await stored(h, 'rs-a');
  assert.equal(ii.rescue_password, 'secret pw');
  assert.match(ii.hashed_rescue_password, /^\$5\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{43}$/);
  assert.equal(shaCrypt('secret pw', ii.hashed_rescue_password), ii.hashed_rescue_password, 'crypt(3) verifies the password against the hash');
  assert.equal((await prov(h, 'rs-a', { target: 'unrescue' })).status, 202);
  const back = await waitState(h, 'rs-a', 'active');
  assert.equal(back.instance_info.hashed_rescue_password, '******', '21.4 removes it only in the agent rescue interface\'s clean_up');
});

test('rescue_password_hash_algorithm = sha512 makes a $6$ hash', async () => {
  await adopted(h512, 'rs-b', { image_source: 'http://x/img' });
  assert.equal((await prov(h512, 'rs-b', { target: 'rescue', rescue_password: 'pw2' })).status, 202);
  await waitState(h512, 'rs-b', 'rescue');
  const ii = await stored(h512, 'rs-b');
  assert.match(ii.hashed_rescue_password, /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
  assert.equal(shaCrypt('pw2', ii.hashed_rescue_password), ii.hashed_rescue_password);
});
