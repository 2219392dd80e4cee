/**
 * More agent flows against a real Ingot service and the fake agent: the conductor's
 * image cache (image_download_source=local), refused sources, rescue, manual cleaning,
 * requested deploy steps only the agent offers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAgent } from '../../src/testing/fake-agent.ts';
import {
  api, deployed, deployEnrolled, dir, enroll, goodImage, httpRoot, image, imageSha, imageUrl, recordedSteps, recordedVersions, setup, svc, teardown, waitState,
} from './support.ts';

before(setup);
after(teardown);

test('image_download_source=local: the conductor caches and verifies the image, the agent gets it from the conductor', async () => {
  const { uuid, agent, disk } = await deployed('local', '52:54:00:1a:9e:05', goodImage(), { driver_info: { deploy_forces_oob_reboot: true, image_download_source: 'local' } });
  const name = createHash('sha256').update(imageUrl).digest('hex');
  const ex = agent.requests.find((r) => r.body?.name === 'deploy.execute_deploy_step')!.body!.params;
  assert.deepEqual(ex.step.args.image_info.urls, [`${svc.conductor.deps.config.httpUrl}/images/${name}`]);
  assert.equal(createHash('sha256').update(readFileSync(disk).subarray(0, image.length)).digest('hex'), imageSha);
  assert.equal(createHash('sha256').update(readFileSync(join(httpRoot, 'images', name))).digest('hex'), imageSha, 'cached once, verified');
  // A wrong checksum is caught by the conductor before any agent is involved.
  const bad = await enroll('local-bad', '52:54:00:1a:9e:06', { ...goodImage(), image_source: `${imageUrl}?other`, image_os_hash_value: '0'.repeat(64) },
    { driver_info: { image_download_source: 'local' } });
  assert.equal((await api('PUT', `/v1/nodes/${bad}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(bad, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${bad}/states/provision`, { target: 'active' })).status, 202);
  const failed = await waitState(bad, 'deploy failed');
  assert.match(failed.last_error, /failed checksum verification: sha256 is [0-9a-f]{64}, instance_info says 0{64}/);
  assert.equal(readdirSync(join(httpRoot, 'images')).length, 1, 'nothing cached for the bad image');
  void uuid;
});

test('swift as image_download_source is refused at deploy with what to use instead', async () => {
  const uuid = await enroll('swift', '52:54:00:1a:9e:07', goodImage(), { driver_info: { image_download_source: 'swift' } });
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  const r = await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' });
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body.error_message).faultstring, /image_download_source "swift" needs OpenStack Object Storage.*"http" or "local"/);
  const missing = await enroll('nosum', '52:54:00:1a:9e:08', { image_source: imageUrl });
  assert.equal((await api('PUT', `/v1/nodes/${missing}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(missing, 'available');
  const r2 = await api('PUT', `/v1/nodes/${missing}/states/provision`, { target: 'active' });
  assert.equal(r2.status, 400);
  assert.match(JSON.parse(r2.body.error_message).faultstring, /"image_checksum", or "image_os_hash_algo" and "image_os_hash_value" must be provided/);
});

test('agent rescue: the hashed password goes to the agent at its first heartbeat, node in rescue', async () => {
  const { uuid } = await deployed('rescuer', '52:54:00:1a:9e:09', goodImage(), { rescue_interface: 'agent' });
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'rescue', rescue_password: 'secret-pw' })).status, 202);
  await waitState(uuid, 'rescue wait');
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:09'], diskPath: join(dir, 'rescuer.disk') });
  await agent.start();
  try {
    const n = await waitState(uuid, 'rescue');
    assert.equal(n.last_error, null);
  } finally { await agent.stop(); }
  const call = agent.requests.find((r) => r.body?.name === 'rescue.finalize_rescue')!;
  assert.equal(call.body!.params.hashed, true);
  // Ironic 21.4's default rescue_password_hash_algorithm is sha256: crypt(3) $5$.
  assert.match(String(call.body!.params.rescue_password), /^\$5\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43}$/);
  assert.notEqual(call.body!.params.rescue_password, 'secret-pw');
});

test('manual cleaning with an agent step and its arguments; an unknown step fails cleaning with the reason', async () => {
  const uuid = await enroll('manual', '52:54:00:1a:9e:0a', {});
  const disk = join(dir, 'manual.disk');
  writeFileSync(disk, Buffer.alloc(2 << 20, 0xcd));
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'clean', clean_steps: [{ interface: 'deploy', step: 'erase_devices_metadata' }] })).status, 202);
  const w = await waitState(uuid, 'clean wait');
  assert.equal(w.target_provision_state, 'manageable');
  let agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:0a'], diskPath: disk });
  await agent.start();
  try { await waitState(uuid, 'manageable'); } finally { await agent.stop(); }
  assert.deepEqual(readFileSync(disk).subarray(0, 1 << 20), Buffer.alloc(1 << 20), 'metadata erased');
  assert.equal(readFileSync(disk)[(2 << 20) - 1], 0xcd, 'the rest kept');

  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'clean', clean_steps: [{ interface: 'deploy', step: 'no_such_step' }] })).status, 202);
  await waitState(uuid, 'clean wait');
  agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:0a'], diskPath: disk });
  await agent.start();
  try {
    const failed = await waitState(uuid, 'clean failed');
    assert.match(failed.last_error, /Node failed to start the first cleaning step: .*node does not support this clean step: \{'interface': 'deploy', 'step': 'no_such_step'\}/);
    assert.equal(failed.maintenance, true);
  } finally { await agent.stop(); }
});

test('a requested deploy step that only the agent offers: checked once the agent is up, run in priority order', async () => {
  const uuid = await enroll('usersteps', '52:54:00:1a:9e:0b', goodImage());
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  const steps = [{ interface: 'deploy', step: 'erase_devices_metadata', priority: 95, args: {} }];
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active', deploy_steps: steps })).status, 202);
  await waitState(uuid, 'wait call-back');
  const disk = join(dir, 'usersteps.disk');
  writeFileSync(disk, Buffer.alloc(5 << 20, 0xee));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:0b'], diskPath: disk, deploySteps: recordedSteps, hardwareManagerVersion: recordedVersions });
  await agent.start();
  try {
    const n = await waitState(uuid, 'active');
    assert.equal(n.driver_internal_info.user_deploy_steps, undefined);
  } finally { await agent.stop(); }
  const ran = agent.requests.filter((r) => r.body?.name === 'deploy.execute_deploy_step').map((r) => r.body!.params.step.step);
  assert.deepEqual(ran, ['erase_devices_metadata', 'write_image']);
  assert.equal(createHash('sha256').update(readFileSync(disk).subarray(0, image.length)).digest('hex'), imageSha);

  // A step nobody offers fails the deploy once the agent has said what it offers.
  const bad = await enroll('badstep', '52:54:00:1a:9e:0c', goodImage());
  assert.equal((await api('PUT', `/v1/nodes/${bad}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(bad, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${bad}/states/provision`, { target: 'active', deploy_steps: [{ interface: 'deploy', step: 'nope', priority: 90, args: {} }] })).status, 202);
  await waitState(bad, 'wait call-back');
  const agent2 = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:0c'], diskPath: disk, deploySteps: recordedSteps });
  await agent2.start();
  try {
    const failed = await waitState(bad, 'deploy failed');
    assert.match(failed.last_error, /Failed to validate the deploy steps once the agent was up: Deploy step .*"nope".* is not supported/);
  } finally { await agent2.stop(); }
});

test('tear_down_agent without deploy_forces_oob_reboot: standby.power_off through the agent, then power checked (and forced) out of band', async () => {
  const { uuid, agent } = await deployed('softoff', '52:54:00:1a:9e:0d', goodImage(), { driver_info: {} });
  const posts = agent.requests.filter((r) => r.method === 'POST').map((r) => `${r.body!.name} ${new URL(r.path, 'http://a').searchParams.get('wait')}`);
  assert.deepEqual(posts, ['deploy.get_deploy_steps true', 'deploy.execute_deploy_step false', 'standby.get_partition_uuids true', 'standby.power_off false']);
  const n = (await api('GET', `/v1/nodes/${uuid}`)).body;
  assert.equal(n.provision_state, 'active');
  assert.equal(n.power_state, 'power on');
});

test('UEFI (the default boot mode): install_bootloader for the whole-disk image, polled until done', async () => {
  const uuid = await enroll('uefi', '52:54:00:1a:9e:0e', goodImage(), { properties: { cpu_arch: 'x86_64' } });
  const { agent } = await deployEnrolled(uuid, 'uefi', '52:54:00:1a:9e:0e');
  assert.deepEqual(agent.bootloader, { root_uuid: '0x782f6450', efi_system_part_uuid: null, prep_boot_part_uuid: null, target_boot_mode: 'uefi' });
  const i = agent.requests.findIndex((r) => r.body?.name === 'image.install_bootloader');
  assert.equal(new URL(agent.requests[i]!.path, 'http://a').searchParams.get('wait'), 'false');
  assert.equal(agent.requests[i + 1]!.method, 'GET', 'then polled');
});

test('a boot mode recorded at boot-mode sync (driver_internal_info.deploy_boot_mode = bios) is the one the deploy uses: no install_bootloader', async () => {
  const uuid = await enroll('synced-bios', '52:54:00:1a:9e:0f', goodImage(), { properties: { cpu_arch: 'x86_64' } }); // no boot_mode capability
  // What sync_boot_mode records when the BMC reports BIOS and nothing is requested.
  const row = await svc.db.kysely.selectFrom('nodes').select('driver_internal_info').where('uuid', '=', uuid).executeTakeFirstOrThrow();
  const dii = { ...(typeof row.driver_internal_info === 'string' ? JSON.parse(row.driver_internal_info) : row.driver_internal_info ?? {}), deploy_boot_mode: 'bios' };
  await svc.db.kysely.updateTable('nodes').set({ driver_internal_info: JSON.stringify(dii) }).where('uuid', '=', uuid).execute();
  const { agent } = await deployEnrolled(uuid, 'synced-bios', '52:54:00:1a:9e:0f');
  assert.equal(agent.bootloader, null, 'a BIOS machine gets no UEFI boot loader');
  assert.ok(!agent.requests.some((r) => r.body?.name === 'image.install_bootloader'));
  assert.equal((await api('GET', `/v1/nodes/${uuid}`)).body.provision_state, 'active');
});
