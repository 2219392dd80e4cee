/**
 * Node traits under the node lock (Ironic's add_node_traits / remove_node_traits).
 *
 * - add: `replace` sets exactly the given traits, otherwise they are added; duplicates
 *   collapse; more than 50 distinct traits → 400, with Ironic's text naming the internal
 *   node id.
 * - remove: the given traits (null = all); one the node lacks → 404.
 * Also the instance_info.traits check that validation applies to the deploy interface.
 */
import { InvalidError, NotFoundError } from '../core/errors.ts';
import type { Node } from '../core/node.ts';
import type { FlowDeps } from './deps.ts';
import type { Task } from './task.ts';

/** Ironic's per-node limit (db MAX_TRAITS_PER_NODE). */
export const MAX_TRAITS_PER_NODE = 50;

export async function addTraits(deps: FlowDeps, task: Task, traits: readonly string[], replace: boolean): Promise<void> {
  const next = [...new Set(replace ? traits : [...task.node.traits, ...traits])].sort();
  if (next.length > MAX_TRAITS_PER_NODE) {
    throw new InvalidError(`Could not modify traits for node ${task.node.id} as it would exceed the maximum number of traits per node (${next.length} vs. ${MAX_TRAITS_PER_NODE})`);
  }
  await deps.nodes.setTraits(task.node.id, next);
}

export async function removeTraits(deps: FlowDeps, task: Task, traits: readonly string[] | null): Promise<void> {
  const missing = (traits ?? []).find((t) => !task.node.traits.includes(t));
  if (missing !== undefined) throw new NotFoundError(`Node ${task.node.uuid} doesn't have a trait '${missing}'`);
  await deps.nodes.setTraits(task.node.id, traits === null ? [] : task.node.traits.filter((t) => !traits.includes(t)));
}

/**
 * Ironic's validate_instance_info_traits (part of the deploy interface's validation):
 * instance_info.traits, when set, must be a list of strings that are all node traits.
 */
export function validateInstanceInfoTraits(node: Pick<Node, 'uuid' | 'instance_info' | 'traits'>): void {
  const wanted = node.instance_info.traits;
  const empty = wanted === undefined || wanted === null || wanted === false || wanted === '' || wanted === 0
    || (Array.isArray(wanted) && wanted.length === 0) || (typeof wanted === 'object' && !Array.isArray(wanted) && Object.keys(wanted).length === 0);
  if (empty) return;
  if (!Array.isArray(wanted) || !wanted.every((t) => typeof t === 'string')) {
    throw new InvalidError(`Error parsing traits from Node ${node.uuid} instance_info field. A list of strings is expected.`);
  }
  const missing = [...new Set(wanted as string[])].filter((t) => !node.traits.includes(t));
  if (missing.length) {
    throw new InvalidError(`Cannot specify instance traits that are not also set on the node. Node ${node.uuid} is missing traits ${missing.join(', ')}`);
  }
}
