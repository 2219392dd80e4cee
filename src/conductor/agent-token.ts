/**
 * The agent token (Ironic's get_node_with_token): issued once, at the first lookup of a
 * ramdisk session, stored in driver_internal_info.agent_secret_token; later lookups see
 * "******". Heartbeats must carry it (is_agent_token_valid). The flows wipe it when the
 * node boots a new ramdisk and when deploy/clean end, so an old token never works again.
 */
import { randomBytes } from 'node:crypto';
import type { Node } from '../core/node.ts';
import { NotFoundError } from '../core/errors.ts';
import type { FlowDeps } from './deps.ts';

export const MASKED_TOKEN = '******';

/** secrets.token_urlsafe(): 32 random bytes, URL-safe base64 without padding (43 characters). */
export function newAgentToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isAgentTokenPresent(node: Readonly<Node>): boolean {
  const t = node.driver_internal_info.agent_secret_token;
  return t !== undefined && t !== null;
}

export function isAgentTokenValid(node: Readonly<Node>, token: string | undefined): boolean {
  if (token === undefined || token === null) return false;
  return node.driver_internal_info.agent_secret_token === token;
}

/**
 * The node for a lookup answer, with a token: a new one when none is stored (under the
 * node lock: 409 while another operation holds it), else the stored one masked.
 */
export async function getNodeWithToken(deps: FlowDeps, nodeId: number): Promise<Node> {
  const node = await deps.nodes.getById(nodeId);
  if (!node) throw new NotFoundError(`Node ${nodeId} could not be found.`);
  if (isAgentTokenPresent(node)) {
    deps.logger.warn({ node: node.uuid }, 'An agent token generation request is being refused as one is already present');
    return { ...node, driver_internal_info: { ...node.driver_internal_info, agent_secret_token: MASKED_TOKEN } };
  }
  return deps.tasks.withLock(nodeId, 'generate_token', async (task) => {
    if (isAgentTokenPresent(task.node)) {
      return { ...task.node, driver_internal_info: { ...task.node.driver_internal_info, agent_secret_token: MASKED_TOKEN } };
    }
    const dii: Record<string, unknown> = { ...task.node.driver_internal_info, agent_secret_token: newAgentToken() };
    delete dii.agent_secret_token_pregenerated;
    await task.save({ driver_internal_info: dii });
    return { ...task.node, driver_internal_info: { ...dii } };
  });
}
