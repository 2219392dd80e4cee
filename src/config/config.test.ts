/** Configuration: the conductor's name and the issue-7 options (Ironic names, seconds with fractions). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { loadConfig } from './config.ts';

test('the conductor name is the host name unless INGOT_CONDUCTOR_HOSTNAME says otherwise', () => {
  assert.equal(loadConfig({}).conductorHostname, hostname());
  assert.equal(loadConfig({ INGOT_CONDUCTOR_HOSTNAME: 'cond-b' }).conductorHostname, 'cond-b');
});

test('recovery and power sync options: Ironic defaults, INGOT_* overrides in seconds', () => {
  const d = loadConfig({});
  assert.deepEqual(
    [d.gracefulShutdownTimeout, d.syncPowerStateWorkers, d.powerStateSyncMaxRetries, d.forcePowerStateDuringSync, d.powerFailureRecoveryInterval, d.checkOrphanInterval],
    [60, 8, 3, true, 300, 60]);
  const c = loadConfig({
    INGOT_GRACEFUL_SHUTDOWN_TIMEOUT: '0.5', INGOT_SYNC_POWER_STATE_WORKERS: '2', INGOT_POWER_STATE_SYNC_MAX_RETRIES: '1',
    INGOT_FORCE_POWER_STATE_DURING_SYNC: 'false', INGOT_POWER_FAILURE_RECOVERY_INTERVAL: '0.25', INGOT_CHECK_PROVISION_STATE_INTERVAL: '2',
    INGOT_SYNC_POWER_STATE_TIMEOUT: '1.5', INGOT_HEARTBEAT_TIMEOUT: '2.5',
  });
  assert.deepEqual(
    [c.gracefulShutdownTimeout, c.syncPowerStateWorkers, c.powerStateSyncMaxRetries, c.forcePowerStateDuringSync, c.powerFailureRecoveryInterval, c.checkOrphanInterval, c.syncPowerStateTimeout, c.heartbeatTimeout],
    [0.5, 2, 1, false, 0.25, 2, 1.5, 2.5]);
  assert.equal(loadConfig({ INGOT_CHECK_ORPHAN_INTERVAL: '0.5' }).checkOrphanInterval, 0.5);
});
