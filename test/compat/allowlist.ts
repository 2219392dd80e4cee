/**
 * Differences between Ingot and the real Ironic 21.4 that are known and accepted.
 *
 * - `deliberate`: Ingot differs on purpose, e.g. /work/shared/docs/ironic-reference.md's
 *   policy: where 21.4 answers a client's bad input with a 5xx, Ingot answers a 4xx.
 * - `pending`: the difference is real but the fix belongs to code this suite's owner may
 *   not change (src/api/routes/node-*.ts except node-states.ts, src/drivers/**, endpoints
 *   nobody has written yet); remove the entry once fixed — the report lists entries that
 *   no longer match anything.
 *
 * An entry covers a differing step when `step` matches its id ("scenario #n › label"),
 * `when` (if any) holds for its two answers, and every differing path matches `paths`.
 */
import type { StepResult } from './runner.ts';
import { faultOf } from './compare.ts';

export interface Allowance {
  /** Matches the step id "scenario #n › label". */
  step: RegExp;
  /** Diff paths it covers (all when absent). */
  paths?: RegExp;
  /** Extra condition on the two answers. */
  when?: (r: StepResult) => boolean;
  kind: 'deliberate' | 'pending';
  reason: string;
}

const ANY = /./;
const FAULT = /^body\.error_message\.faultstring$/;
const peerFault = (re: RegExp) => (r: StepResult) => re.test(faultOf(r.peer.text) ?? '');
const ingotFault = (re: RegExp) => (r: StepResult) => re.test(faultOf(r.ingot.text) ?? '');

export const ALLOWED: Allowance[] = [
  {
    step: /^hostile-input #\d+ › /, kind: 'deliberate', when: ingotFault(/^Invalid request body: JSON nested deeper than 256 levels\.$/),
    reason: 'JSON nested deeper than 256 levels: 21.4 accepts it up to about 880 levels and answers a 500 (RecursionError) beyond; '
      + 'Ingot refuses it with a 400 before any recursive processing (api/body-guard.ts)',
  },
  {
    step: /^hostile-input #\d+ › /, kind: 'deliberate', when: (r) => r.peer.status < 500 && ingotFault(/may not contain the NUL character/)(r),
    reason: 'a NUL character in a body or query string: 21.4 on SQLite stores it (and fails with a 500 on PostgreSQL); '
      + 'Ingot refuses it with a 400 on every database (api/body-guard.ts)',
  },
  {
    step: ANY, kind: 'deliberate',
    when: (r) => r.peer.status >= 500 && r.ingot.status >= 400 && r.ingot.status < 500,
    reason: 'policy (ironic-reference.md): 21.4 answers this client error with a 5xx (malformed JSON, JSON null body, '
      + 'unknown list fields, PATCH op without value, failed allocation backfill, portgroup with ports, unknown shard '
      + 'arguments, GET on states/provision); Ingot answers the 4xx',
  },
  {
    step: /^chassis #\d+ › GET \/v1\/chassis\/\$\{c\}\/nodes\?fields=uuid,chassis_uuid /, kind: 'deliberate',
    when: (r) => r.peer.status === 500 && r.ingot.status === 200,
    reason: '21.4 crashes (500, "type object \'Node\' has no attribute \'chassis_uuid\'") listing a chassis\'s nodes with fields=chassis_uuid; Ingot answers the list',
  },
  {
    step: /› PATCH \/v1\/ports\/\$\{p5\} @[\d.]+ \[\{"op":"replace","path":"\/node_uuid"/, kind: 'deliberate',
    when: (r) => r.peer.status === 500 && r.ingot.status === 200,
    reason: 'moving a port to another node: 21.4 fails inside the conductor (500 "Unexpected error raised by RPC"); Ingot moves it (documented in port-write.ts)',
  },
  {
    step: /› GET \/v1\/drivers\/[\w-]+\/properties @/, paths: /^body\.deploy_(ramdisk|kernel)$/, kind: 'deliberate',
    reason: '21.4 merges the default interfaces\' properties in the order of a Python set (hash-randomized per process), '
      + 'so whether the boot or the deploy interface\'s description of deploy_kernel/deploy_ramdisk wins changes between 21.4 runs',
  },
  {
    step: /^bad-idents #\d+ › GET \/v1\/\/nodes /, kind: 'deliberate',
    when: (r) => r.peer.status === 500 && r.ingot.status === 200,
    reason: 'Ingot\'s router folds duplicate slashes; 21.4 crashes with a 500 (Controller.index() TypeError)',
  },
  {
    step: ANY, paths: FAULT, kind: 'deliberate', when: peerFault(/ object at 0x[0-9a-f]+>/),
    reason: '21.4 prints the Python object (with its memory address) of an incompatible interface; no two processes agree on it',
  },
  {
    step: ANY, paths: FAULT, kind: 'deliberate',
    when: (r) => /\bnode \d+\b/.test(faultOf(r.peer.text) ?? '')
      && (faultOf(r.peer.text) ?? '').replace(/\bnode \d+\b/, 'node N') === (faultOf(r.ingot.text) ?? '').replace(/\bnode \d+\b/, 'node N'),
    reason: 'the message names the internal database id of the node (traits limit, missing inventory); 21.4\'s SQLite reuses ids of deleted nodes, Ingot never does',
  },
  {
    step: /^negotiation #\d+ › GET \/v1\/lookup @1\.21$/, kind: 'pending',
    reason: 'the ramdisk lookup endpoint is not implemented in the API routes (21.4: fault-style 404 "Resource could not be found." below 1.22)',
  },
];

/** Entries covering every difference of a step, or undefined when something is not covered. */
export function allowancesFor(r: StepResult, list: Allowance[] = ALLOWED): Allowance[] | undefined {
  const used = new Set<Allowance>();
  for (const d of r.diffs) {
    const a = list.find((x) => x.step.test(r.id) && (!x.when || x.when(r)) && (!x.paths || x.paths.test(d.path)));
    if (!a) return undefined;
    used.add(a);
  }
  return [...used];
}
