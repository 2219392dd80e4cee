/**
 * The `direct` deploy and agent cleaning driven by heartbeats, against a real Ingot
 * service and a fake agent at the process boundary that plays IPA's side of
 * agent-samples/recorded-direct-deploy. The conductor's requests to the agent are
 * compared with the ones Ironic 21.4 sent in that recording.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAgent } from '../../src/testing/fake-agent.ts';
import {
  api, dir, enroll, goodImage, image, imageSha, imageUrl, ours, recorded, recordedSteps, recordedVersions, setup, shape, svc, teardown, waitState,
} from './support.ts';

before(setup);
after(teardown);

test('direct deploy driven by the replayed agent: requests as Ironic 21.4 sent them, image on disk', async () => {
  const uuid = await enroll('replay', '52:54:00:1a:9e:01', goodImage());
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  const waiting = await waitState(uuid, 'wait call-back');
  assert.deepEqual(waiting.driver_internal_info.deploy_steps.map((s: any) => [s.step, s.priority]),
    [['deploy', 100], ['write_image', 80], ['prepare_instance_boot', 60], ['tear_down_agent', 40], ['switch_to_tenant_network', 30], ['boot_instance', 20]]);
  assert.equal(waiting.deploy_step.step, 'deploy');

  const disk = join(dir, 'replay.disk');
  writeFileSync(disk, Buffer.alloc(8 << 20));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:01'], diskPath: disk, deploySteps: recordedSteps, hardwareManagerVersion: recordedVersions });
  await agent.start();
  try {
    const active = await waitState(uuid, 'active');
    assert.equal(active.last_error, null);
    assert.equal(active.power_state, 'power on');
    assert.equal(active.driver_internal_info.agent_secret_token, undefined, 'the agent session ends with the deploy');
    assert.equal(active.driver_internal_info.agent_url, undefined);
    assert.equal(active.driver_internal_info.root_uuid_or_disk_id, '0x782f6450');
    assert.equal(createHash('sha256').update(readFileSync(disk).subarray(0, image.length)).digest('hex'), imageSha, 'the image is on the disk');
  } finally { await agent.stop(); }

  const token = agent.token!;
  assert.ok(agent.heartbeats.length >= 2 && agent.heartbeats.every((h) => h.status === 202), JSON.stringify(agent.heartbeats));
  const rec = recorded.map((r) => ({ method: r.method, path: r.path, ...(r.request_body ? { name: String(r.request_body.name) } : {}) }));
  const recToken = /agent_token=([^&]+)/.exec(recorded[0].path)![1]!;
  assert.deepEqual(shape(ours(agent.requests), token), shape(rec, recToken));

  // Parameter shapes, command by command.
  const byName = (reqs: { body: any }[], n: string) => reqs.find((r) => r.body?.name === n)!.body.params;
  const recReqs = recorded.map((r) => ({ body: r.request_body }));
  const mine = agent.requests.map((r) => ({ body: r.body }));
  for (const n of ['deploy.get_deploy_steps', 'deploy.execute_deploy_step', 'standby.get_partition_uuids', 'standby.sync']) {
    assert.deepEqual(Object.keys(byName(mine, n)).sort(), Object.keys(byName(recReqs, n)).sort(), n);
  }
  const gs = byName(mine, 'deploy.get_deploy_steps');
  const rgs = byName(recReqs, 'deploy.get_deploy_steps');
  assert.deepEqual(Object.keys(gs.node).sort(), Object.keys(rgs.node).sort());
  assert.deepEqual(Object.keys(gs.ports[0]).sort(), Object.keys(rgs.ports[0]).sort());
  assert.equal(gs.node.provision_state, 'wait call-back');
  assert.equal(gs.node.driver_internal_info.agent_secret_token, '******');
  const ex = byName(mine, 'deploy.execute_deploy_step');
  const rex = byName(recReqs, 'deploy.execute_deploy_step');
  assert.deepEqual(ex.deploy_version, recordedVersions);
  assert.deepEqual(Object.keys(ex.step).sort(), Object.keys(rex.step).sort());
  assert.deepEqual(Object.keys(ex.step.args.image_info).sort(), Object.keys(rex.step.args.image_info).sort());
  assert.deepEqual({ ...ex.step.args.image_info, urls: [], node_uuid: '' }, { ...rex.step.args.image_info, os_hash_value: imageSha, urls: [], node_uuid: '' });
  assert.deepEqual(ex.step.args.image_info.urls, [imageUrl]);
  assert.equal(ex.step.args.configdrive, null);
  assert.equal(ex.node.provision_state, 'deploying');
  assert.deepEqual([ex.node.deploy_step.step, ex.node.deploy_step.priority], ['write_image', 80]);
  assert.deepEqual(ex.node.driver_internal_info.agent_cached_deploy_steps, rex.node.driver_internal_info.agent_cached_deploy_steps);
  assert.equal(ex.node.driver_internal_info.steps_validated, true);
  assert.equal(ex.node.driver_internal_info.is_whole_disk_image, true);

  // The token of that session no longer works.
  const replay = await api('POST', `/v1/heartbeat/${uuid}`, { callback_url: agent.callbackUrl, agent_token: token, agent_version: '9.4.3' });
  assert.equal(replay.status, 400);
});

test('checksum mismatch reported by the agent: deploy failed, last_error names the checksum, logs collected', async () => {
  const uuid = await enroll('badsum', '52:54:00:1a:9e:02', { ...goodImage(), image_os_hash_value: 'f'.repeat(64) });
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  await waitState(uuid, 'wait call-back');
  const disk = join(dir, 'badsum.disk');
  writeFileSync(disk, Buffer.alloc(1 << 20));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:02'], diskPath: disk });
  await agent.start();
  try {
    const failed = await waitState(uuid, 'deploy failed');
    assert.match(failed.last_error, /^Deploy step deploy\.write_image failed on node [0-9a-f-]+\. Image failed to verify against checksum\./);
    assert.match(failed.last_error, /verification checksum: [0-9a-f]{64}/);
    assert.equal(failed.power_state, 'power off');
    assert.equal(failed.reservation, null);
    assert.ok(agent.requests.some((r) => r.body?.name === 'log.collect_system_logs'), 'logs collected on failure');
    assert.ok(readdirSync(join(dir, 'deploy-logs')).some((f) => f.startsWith(uuid)), 'logs stored');
  } finally { await agent.stop(); }
});

test('an agent that stops heartbeating: the wait times out into deploy failed', async () => {
  const uuid = await enroll('silent', '52:54:00:1a:9e:03', goodImage());
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  await waitState(uuid, 'wait call-back');
  const disk = join(dir, 'silent.disk');
  writeFileSync(disk, Buffer.alloc(1 << 20));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:03'], diskPath: disk, hangWriteImage: true });
  await agent.start();
  try {
    // write_image started, then the machine goes silent.
    for (let i = 0; i < 400 && !agent.requests.some((r) => r.body?.name === 'deploy.execute_deploy_step'); i++) await new Promise((r) => setTimeout(r, 25));
    agent.stopHeartbeats();
    await svc.conductor.idle();
    assert.equal((await api('GET', `/v1/nodes/${uuid}`)).body.provision_state, 'wait call-back');
    await new Promise((r) => setTimeout(r, 3200));
    await svc.conductor.runPeriodicsOnce();
    const failed = await waitState(uuid, 'deploy failed');
    assert.match(failed.last_error, /Timeout reached while waiting for callback/);
    assert.match(failed.last_error, /Check that the ramdisk booted and can reach the API at http:\/\/127\.0\.0\.1:/);
  } finally { await agent.stop(); }
});

test('automated cleaning through the agent: steps from the agent, erase on the disk, available', async () => {
  const uuid = await enroll('cleaner', '52:54:00:1a:9e:04', {}, { automated_clean: true });
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'clean wait');
  const disk = join(dir, 'cleaner.disk');
  writeFileSync(disk, Buffer.alloc(2 << 20, 0xab));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:04'], diskPath: disk });
  await agent.start();
  try {
    const done = await waitState(uuid, 'available');
    assert.equal(done.last_error, null);
    assert.equal(done.power_state, 'power off', 'cleaning torn down');
    assert.equal(done.driver_internal_info.agent_secret_token, undefined);
    assert.equal(done.driver_internal_info.agent_cached_clean_steps, undefined);
  } finally { await agent.stop(); }
  const names = agent.requests.filter((r) => r.method === 'POST').map((r) => `${r.body!.name}${r.body!.params.step ? `:${r.body!.params.step.step}` : ''}`);
  // Agent priorities: erase_devices_metadata 99 before erase_devices 10; erase_pstore (0) not run.
  assert.deepEqual(names, ['clean.get_clean_steps', 'clean.execute_clean_step:erase_devices_metadata', 'clean.execute_clean_step:erase_devices']);
  const step = agent.requests.find((r) => r.body?.name === 'clean.execute_clean_step')!.body!.params;
  assert.deepEqual(Object.keys(step).sort(), ['clean_version', 'node', 'ports', 'step']);
  assert.equal(step.step.requires_ramdisk, undefined, 'the step as the node records it');
  assert.deepEqual(readFileSync(disk), Buffer.alloc(2 << 20), 'the disk really was erased');
});

/** An active node deployed through a fresh fake agent (which is stopped afterwards). */
