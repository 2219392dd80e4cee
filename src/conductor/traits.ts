/**
 * Node traits under the node lock (Ironic's add_node_traits / remove_node_traits).
 *
 * - add: `replace` sets exactly the given traits, otherwise they are added; duplicates
 *   collapse; more than 50 distinct traits → 400, with Ironic's text naming the internal
 *   node id.
 * - remove: the given traits (null = all); one the node lacks → 404.
 */
import { InvalidError, NotFoundError } from '../core/errors.ts';
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
