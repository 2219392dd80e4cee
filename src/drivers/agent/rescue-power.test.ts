/** `agent` power: reboot through a live agent only; `agent` rescue needs the hashed password. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { loadAgentConfig } from '../../core/agent-config.ts';
import { makeTestContext, makeTestNode } from '../../testing/driver-conformance.ts';
import { AgentPower, AgentRescue } from './rescue-power.ts';

const cfg = loadAgentConfig({}, '/tmp');
const now = () => new Date().toISOString().slice(0, 23) + '000';

test('agent power: needs fast track and a live agent; reboots with standby.run_image and ends the agent session', async () => {
  const p = new AgentPower(cfg);
  const bare = makeTestContext({ node: makeTestNode({ driver: 'manual-management' }) });
  await assert.rejects(p.validate(bare), (e: unknown) => e instanceof InvalidError && e.message === 'Fast track mode must be enabled to use the agent power interface');
  const stale = makeTestContext({ node: makeTestNode({ driver_info: { fast_track: true }, driver_internal_info: { agent_url: 'http://x', agent_last_heartbeat: '2000-01-01T00:00:00.000000' } }) });
  await assert.rejects(p.validate(stale), /Agent seems offline for node .*, the agent power interface cannot be used/);
  assert.equal(await p.getPowerState(stale), null);
  assert.deepEqual(await p.getSupportedPowerStates(stale), ['rebooting', 'soft rebooting']);
  await assert.rejects(p.setPowerState(stale, 'power off'), (e: unknown) => e instanceof DriverError && /can only reboot/.test(e.message));

  const seen: string[] = [];
  const server = createServer((req, res) => {
    let b = ''; req.on('data', (c) => { b += c; });
    req.on('end', () => { seen.push(`${req.url} ${b}`); res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ command_name: 'run_image', command_status: 'RUNNING', command_error: null, command_result: null })); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const live = makeTestContext({ node: makeTestNode({ driver_info: { fast_track: 'true' }, driver_internal_info: { agent_url: url, agent_last_heartbeat: now(), agent_secret_token: 'tok' } }) });
    await p.validate(live);
    assert.equal(await p.getPowerState(live), 'power on');
    await p.setPowerState(live, 'rebooting');
    assert.deepEqual(seen, ['/v1/commands/?wait=false&agent_token=tok {"name":"standby.run_image","params":{}}']);
    assert.ok('agent_url' in live.internalInfo && live.internalInfo.agent_url === undefined, 'agent URL forgotten');
    assert.ok('agent_secret_token' in live.internalInfo && live.internalInfo.agent_secret_token === undefined, 'token forgotten');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('agent rescue: finalize without a hashed password is refused with Ironic\'s text', async () => {
  const r = new AgentRescue(cfg);
  const ctx = makeTestContext({ node: makeTestNode({ driver_internal_info: { agent_url: 'http://127.0.0.1:1' } }) });
  await assert.rejects(r.finalizeRescue(ctx), (e: unknown) => e instanceof DriverError && e.message === 'Agent rescue requires rescue_password in instance_info');
});
