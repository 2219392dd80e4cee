/**
 * Shared argument handling for the node sub-resource routes (node-*.ts), following how
 * Ironic 21.4 (Pecan + `ironic.common.args`) sees a request:
 *
 * - Controller methods get their arguments from the query string AND from the keys of a
 *   JSON-object body, merged (a key given in both becomes a list). Any name the method
 *   does not declare → 400 "Unexpected arguments: …". A method that takes the whole body
 *   (`@method.body`) instead drops the query keys the body also has.
 * - The node identifier is checked in two ways: sub-resources reached through the node
 *   controller's lookup (traits, vifs, bios, history, inventory, validate, unknown words)
 *   fail at routing level (webob body "Expected UUID or name for node: X"); attribute
 *   controllers (maintenance, management, vendor_passthru) fail in the method
 *   ("Expected UUID or name for node_ident: X").
 * - Messages use Python's `str()` of the value, e.g. "Expected string for reason: ['a', 'b']".
 */
import type { FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import type { Node } from '../../core/node.ts';
import { InvalidError } from '../../core/errors.ts';
import { isUuidLike, isValidLogicalName } from '../../core/ids.ts';
import { getNode } from '../lookup.ts';
import { RoutingError } from '../errors.ts';
import { pyRepr } from '../schema.ts';

export type Args = Record<string, unknown>;

/** Python's str() of a JSON value (strings bare, everything else as repr). */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function rawQuery(req: FastifyRequest): Record<string, unknown> {
  return { ...((req.query ?? {}) as Record<string, unknown>) };
}

function rejectUnexpected(args: Args, allowed: readonly string[]): void {
  const extra = Object.keys(args).filter((k) => !allowed.includes(k));
  if (extra.length) throw new InvalidError(`Unexpected arguments: ${extra.join(', ')}`);
}

/**
 * Query + JSON-object body keys, merged as Pecan does; names outside `allowed` → 400.
 * A non-object body contributes nothing.
 */
export function mergedArgs(req: FastifyRequest, allowed: readonly string[]): Args {
  const out = rawQuery(req);
  if (isObject(req.body)) {
    for (const [k, v] of Object.entries(req.body)) {
      if (k in out) {
        const prev = out[k];
        out[k] = [...(Array.isArray(prev) ? prev : [prev]), v];
      } else out[k] = v;
    }
  }
  rejectUnexpected(out, allowed);
  return out;
}

/**
 * For methods that take the whole body (`@method.body`): the body (undefined/null → `{}`,
 * as Ironic substitutes an empty body) and the query arguments that the body does not
 * also name, checked against `allowed`.
 */
export function bodyAndArgs(req: FastifyRequest, allowed: readonly string[]): { body: unknown; args: Args } {
  const body = req.body === undefined ? {} : req.body;
  const args = rawQuery(req);
  if (isObject(body)) for (const k of Object.keys(body)) delete args[k];
  rejectUnexpected(args, allowed);
  return { body, args };
}

/** `args.string`: undefined/null pass; anything else but a string → 400. */
export function stringArg(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidError(`Expected string for ${name}: ${pyStr(v)}`);
  return v;
}

/** `args.boolean` (strutils.bool_from_string strict): booleans as is, other values by str(). */
export function boolArg(name: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  const s = pyStr(v).trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(s)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(s)) return false;
  throw new InvalidError(`Invalid ${name}: Unrecognized value '${pyStr(v)}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
}

/** `args.integer` (Python int()): an integer or an integer string → number. */
export function intArg(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim());
  throw new InvalidError(`Expected an integer for ${name}: ${pyStr(v)}`);
}

/** A mandatory argument (Ironic: "Missing mandatory parameter: X"). */
export function required<T>(name: string, v: T | undefined): T {
  if (v === undefined) throw new InvalidError(`Missing mandatory parameter: ${name}`);
  return v;
}

/** UUID or logical name, as `args.uuid_or_name`. */
export function isUuidOrName(v: unknown): v is string {
  return isUuidLike(v) || isValidLogicalName(v);
}

/** `args.uuid_or_name` for any argument name. */
export function uuidOrNameArg(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isUuidOrName(v)) throw new InvalidError(`Expected UUID or name for ${name}: ${pyStr(v)}`);
  return v;
}

/** Node ident checked by the node controller's lookup: routing-level 400. */
export function checkRoutingIdent(ident: string): void {
  if (!isUuidOrName(ident)) throw new RoutingError(400, `Expected UUID or name for node: ${ident}`);
}

/** Node ident checked by a controller method (`node_ident` argument): 400 fault. */
export function checkIdentArg(ident: string): void {
  uuidOrNameArg('node_ident', ident);
}

/**
 * The node for an already-checked ident: by UUID, or by name from 1.5 on; below 1.5 a
 * name is simply not found (Ironic's get_rpc_node).
 */
export function loadNode(req: FastifyRequest, deps: ApiDeps, ident: string): Promise<Node> {
  return getNode(req, deps.nodes, ident);
}
