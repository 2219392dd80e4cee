/**
 * Agent heartbeats (Ironic's ConductorManager.heartbeat + HeartbeatMixin.heartbeat).
 *
 * Synchronous part (the API answers 400 on failure, 202 otherwise): an agent version (or
 * status) is required, and the token must match the stored one. Nothing is written then.
 *
 * Asynchronous part, in a worker: only in the states that accept heartbeats; the node lock
 * is tried a few times (a node still busy skips this heartbeat, the next one retries); the agent's URL,
 * version and heartbeat time are recorded; then the wait state moves on
 * (flows/agent-wait.ts): deploy steps, clean steps, or the end of rescue.
 */
import { InvalidError, NodeLockedError, NotFoundError, messageOf } from '../core/errors.ts';
import type { Json } from '../core/node.ts';
import { ProvisionState as S } from '../core/states.ts';
import type { FlowDeps } from './deps.ts';
import { isAgentTokenValid } from './agent-token.ts';
import { continueAfterHeartbeat } from './flows/agent-wait.ts';
import { stamp } from '../drivers/agent/agent-base.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function storeAgentCertificate(deps: FlowDeps, uuid: string, pem: string): string {
  const dir = join(deps.config.dataDir, 'agent-certs');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${uuid}.crt`);
  writeFileSync(path, pem);
  return path;
}

export interface HeartbeatArgs {
  callbackUrl: string;
  agentToken?: string;
  agentVersion?: string;
  agentVerifyCa?: string;
  agentStatus?: string;
  agentStatusMessage?: string;
}

/** States in which a heartbeat is processed (Ironic's HEARTBEAT_ALLOWED). */
export const HEARTBEAT_ALLOWED: ReadonlySet<string> = new Set([S.DEPLOYWAIT, S.CLEAN_WAIT, S.RESCUEWAIT, S.DEPLOYING, S.CLEANING, S.RESCUING]);
/** States in which a heartbeat is only recorded. */
const RECORD_ONLY: ReadonlySet<string> = new Set([S.ENROLL, S.MANAGEABLE, S.AVAILABLE, S.CLEANING, S.DEPLOYING, S.RESCUING]);

export async function heartbeat(deps: FlowDeps, nodeId: number, args: HeartbeatArgs): Promise<void> {
  if (args.agentVersion === undefined && args.agentStatus === undefined) {
    throw new InvalidError('Agent did not transmit a version, and a version is required. Please update the agent being used.');
  }
  const node = await deps.nodes.getById(nodeId);
  if (!node) throw new NotFoundError(`Node ${nodeId} could not be found.`);
  if (!isAgentTokenValid(node, args.agentToken)) {
    deps.logger.error({ node: node.uuid }, 'Invalid or missing agent_token received');
    throw new InvalidError('Invalid or missing agent token received.');
  }
  deps.workers.spawn(() => processHeartbeat(deps, nodeId, args));
}

async function processHeartbeat(deps: FlowDeps, nodeId: number, args: HeartbeatArgs): Promise<void> {
  const peek = await deps.nodes.getById(nodeId);
  if (!peek) return;
  if (!HEARTBEAT_ALLOWED.has(peek.provision_state)) {
    deps.logger.warn({ node: peek.uuid, state: peek.provision_state }, 'Heartbeat in a provision state that takes none, not taking any action');
    return;
  }
  let task;
  try {
    // Deviation: Ironic tries the lock once. A few tries (the usual lock retries) let a
    // heartbeat that arrives while the conductor is just finishing the step that booted the
    // ramdisk count, instead of waiting 0.3–0.6 × heartbeat_timeout for the next one.
    task = await deps.tasks.acquire(nodeId, 'heartbeat');
  } catch (err) {
    if (err instanceof NodeLockedError) {
      deps.logger.warn({ node: peek.uuid }, 'Node is locked, skipping heartbeat processing (will retry on the next heartbeat)');
      return;
    }
    throw err;
  }
  try {
    const n = task.node;
    // The token may have been wiped meanwhile (a new ramdisk session): check again under the lock.
    if (!isAgentTokenValid(n, args.agentToken) || !HEARTBEAT_ALLOWED.has(n.provision_state)) return;
    const dii: Json = { ...n.driver_internal_info, agent_url: args.callbackUrl, agent_version: args.agentVersion ?? '3.0.0', agent_last_heartbeat: stamp() };
    // The agent's self-signed certificate (auto-TLS) is what its commands are verified with
    // (Ironic's store_agent_certificate: a file per node, its path in agent_verify_ca).
    if (args.agentVerifyCa) dii.agent_verify_ca = storeAgentCertificate(deps, n.uuid, args.agentVerifyCa);
    if (args.agentStatus) dii.agent_status = args.agentStatus;
    if (args.agentStatusMessage) dii.agent_status_message = args.agentStatusMessage;
    await task.save({ driver_internal_info: dii });
    if (RECORD_ONLY.has(n.provision_state)) return;
    await continueAfterHeartbeat(deps, task);
  } catch (err) {
    deps.logger.error({ node: task.node.uuid, err: messageOf(err) }, 'heartbeat processing failed');
  } finally {
    await task.release().catch(() => undefined);
  }
}
