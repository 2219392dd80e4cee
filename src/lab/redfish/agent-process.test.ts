/**
 * Agents of machines booting together get distinct ports: a port is not handed out twice
 * within a minute (an agent binds it a second or two after the lab picked it; the OS may
 * offer a just-closed port again at once, which once started two agents on one port in
 * the 16-machine deploy benchmark).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from './agent-process.ts';

test('64 ports picked at once are all different', async () => {
  const ports = await Promise.all(Array.from({ length: 64 }, () => freePort('127.0.0.1')));
  assert.equal(new Set(ports).size, ports.length);
  const more = await Promise.all(Array.from({ length: 16 }, () => freePort('127.0.0.1')));
  for (const p of more) assert.ok(!ports.includes(p), `port ${p} was handed out again`);
});
