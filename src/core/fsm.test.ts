import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { TRANSITIONS, STATES, nextState, targetOf } from './fsm.ts';
import { ALL_PROVISION_STATES } from './states.ts';

const here = dirname(fileURLToPath(import.meta.url));
const TABLE = join(here, '..', '..', '..', 'shared', 'docs', 'ironic-transitions.md');

/** Parse the shared transitions table: "| from | event -> to; ... |". */
function parseTable(md: string): Set<string> {
  const edges = new Set<string>();
  for (const line of md.split('\n')) {
    const m = /^\| ([a-z -]+) \| (.+) \|$/.exec(line.trim());
    if (!m || m[1] === 'from state') continue;
    for (const part of m[2]!.split(';')) {
      const e = /\**([a-z]+)\**\s*(?:→|->)\s*([a-z -]+)/.exec(part.trim());
      if (e) edges.add(`${m[1]!.trim()}|${e[1]}|${e[2]!.trim()}`);
    }
  }
  return edges;
}

test('the FSM table holds exactly the transitions of ironic-transitions.md (every state, every edge)', { skip: existsSync(TABLE) ? false : `shared table not found at ${TABLE}` }, () => {
  const want = parseTable(readFileSync(TABLE, 'utf8'));
  assert.ok(want.size > 80, `parsed ${want.size} edges`);
  const have = new Set(TRANSITIONS.map((t) => `${t.from}|${t.event}|${t.to}`));
  const missing = [...want].filter((e) => !have.has(e));
  const extra = [...have].filter((e) => !want.has(e));
  assert.deepEqual(missing, []);
  assert.deepEqual(extra, []);
});

test('21.4 (API 1.82) sees 63 edges and 24 reachable states', () => {
  const at82 = TRANSITIONS.filter((t) => t.minVersion === undefined || t.minVersion <= 82);
  assert.equal(at82.length, 63);
  const states = new Set(at82.flatMap((t) => [t.from, t.to]));
  assert.equal(states.size, 24);
});

test('every state has metadata and every edge names known states', () => {
  for (const s of ALL_PROVISION_STATES) assert.ok(STATES[s], s);
  for (const t of TRANSITIONS) {
    assert.ok(ALL_PROVISION_STATES.includes(t.from), t.from);
    assert.ok(ALL_PROVISION_STATES.includes(t.to), t.to);
  }
});

test('nextState honours the version cap', () => {
  assert.equal(nextState('manageable', 'provide'), 'cleaning');
  assert.equal(nextState('active', 'service', 82), null);
  assert.equal(nextState('active', 'service', 87), 'servicing');
  assert.equal(nextState('wait call-back', 'abort', 82), null);
  assert.equal(nextState('enroll', 'deploy'), null);
});

test('targets: stable states have none, transient states point where they go', () => {
  assert.equal(targetOf('active'), null);
  assert.equal(targetOf('deploying'), 'active');
  assert.equal(targetOf('cleaning'), 'available');
  assert.equal(targetOf('inspect wait'), 'manageable');
  assert.equal(targetOf('verifying'), 'manageable');
});
