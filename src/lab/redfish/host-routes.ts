/**
 * The lab's API about what runs on its machines (JSON, no authentication: a test lab).
 * `{id}` is a ComputerSystem id or a machine's position (0-based).
 *
 * - `GET /lab/hosts` → `{hosts}`: every machine's status below, without the log;
 * - `GET /lab/machines/{id}/boot` → the machine's host status: `state` (`off`, `booting`,
 *   `agent`, `disk`, `nothing`), `reason` when it runs nothing, the boot entry read from
 *   the ISO (kernel command line), the agent process (pid, port, argv, exit), a log;
 * - `GET /lab/machines/{id}/disk` → the disk files with their partition tables (as
 *   `sfdisk --json` reads them; null when blank) and the NVRAM boot entries;
 * - `POST /lab/machines/{id}/power` `{"action": "off" | "reboot"}` → 202; the machine's own
 *   power control (the agent's `powerControlUrl`). The change happens once the answer is
 *   sent, so an agent asking to be powered off gets its answer before it is stopped.
 *
 * Without `agents` options the lab has no hosts: these answer 404 with a message saying so.
 *
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LabHosts } from './host.ts';
import type { LabMachine } from './machine.ts';

export function registerHostRoutes(app: FastifyInstance, machines: LabMachine[], hosts: () => LabHosts | null): void {
  const find = (id: string, reply: FastifyReply): { m: LabMachine; h: LabHosts } | null => {
    const h = hosts();
    const m = machines.find((x) => x.id === id) ?? (/^\d+$/.test(id) ? machines[Number(id)] : undefined);
    if (!m) {
      void reply.code(404).send({ error: `no machine ${JSON.stringify(id)}` });
      return null;
    }
    if (!h) {
      void reply.code(404).send({ error: 'this lab runs no hosts (start it with `agents` options, as `ingot lab` does)' });
      return null;
    }
    return { m, h };
  };
  app.get('/lab/hosts', async (_request, reply) => {
    const h = hosts();
    if (!h) return reply.code(404).send({ error: 'this lab runs no hosts (start it with `agents` options, as `ingot lab` does)' });
    return { hosts: machines.map((m) => { const { log: _log, ...rest } = h.status(m.id); return rest; }) };
  });
  app.get('/lab/machines/:id/boot', async (request, reply) => {
    const f = find((request.params as { id: string }).id, reply);
    return f ? f.h.status(f.m.id) : reply;
  });
  app.get('/lab/machines/:id/disk', async (request, reply) => {
    const f = find((request.params as { id: string }).id, reply);
    return f ? f.h.disk(f.m.id) : reply;
  });
  app.post('/lab/machines/:id/power', async (request, reply) => {
    const f = find((request.params as { id: string }).id, reply);
    if (!f) return reply;
    const action = (request.body as { action?: unknown } | undefined)?.action;
    if (action !== 'off' && action !== 'reboot') return reply.code(400).send({ error: 'body must be {"action": "off" | "reboot"}' });
    reply.raw.once('finish', () => f.m.hostPower(action));
    return reply.code(202).send({ machine: f.m.id, action });
  });
}
