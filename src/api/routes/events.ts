/**
 * POST /v1/events (API 1.54): external (Neutron) port events. Validated and accepted
 * with 204; Ingot has no network integration that acts on them yet, as Ironic 21.4 only
 * logs them. The body is validated before the version check, as in Ironic.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotFoundError } from '../../core/errors.ts';
import { isUuidLike, isValidMac } from '../../core/ids.ts';
import { supports } from '../context.ts';
import { queryOf } from '../params.ts';
import { RoutingError } from '../errors.ts';
import { validate, type Schema } from '../schema.ts';

const EVENT_TYPES = ['network.bind_port', 'network.unbind_port', 'network.delete_port'];

const EVENTS_SCHEMA: Schema = {
  type: 'object',
  properties: {
    events: {
      type: 'array', minItems: 1,
      items: { type: 'object', properties: { event: { type: 'string', enum: EVENT_TYPES } }, required: ['event'] },
    },
  },
  required: ['events'],
  additionalProperties: false,
};

const S_OR_NULL: Schema = { type: ['string', 'null'] };
const NETWORK_EVENT_SCHEMA: Schema = {
  type: 'object',
  properties: {
    event: { type: 'string' }, port_id: { type: 'string' }, mac_address: { type: 'string' }, status: { type: 'string' },
    device_id: S_OR_NULL, 'binding:host_id': S_OR_NULL, 'binding:vnic_type': S_OR_NULL,
  },
  required: ['event', 'port_id', 'mac_address', 'status'],
  additionalProperties: false,
};

/** Validate the whole body with Ironic's order and messages; returns the events. */
export function validateEvents(body: unknown): Record<string, unknown>[] {
  // An absent or null body is "no events" (21.4 answers 500 for null).
  const b = body === undefined || body === null ? {} : body;
  validate('evts', b, EVENTS_SCHEMA);
  const events = (b as { events: Record<string, unknown>[] }).events;
  for (const e of events) {
    validate('evts', e, NETWORK_EVENT_SCHEMA);
    if (!isUuidLike(e.port_id)) throw new InvalidError(`Expected UUID for port_id: ${String(e.port_id)}`);
    if (!isValidMac(e.mac_address)) throw new InvalidError(`Expected valid MAC address for mac_address: ${String(e.mac_address)}`);
    for (const k of ['device_id', 'binding:host_id']) {
      const v = e[k];
      if (v !== undefined && v !== null && !isUuidLike(v)) throw new InvalidError(`Expected UUID for ${k}: ${String(v)}`);
    }
  }
  return events;
}

export function eventRoutes(app: FastifyInstance, _deps: ApiDeps): void {
  const post = async (req: FastifyRequest, body: unknown, reply: { code(n: number): { send(): unknown } }) => {
    queryOf(req, []);
    validateEvents(body);
    if (!supports(req, 'events')) throw new NotFoundError('Resource could not be found.');
    return reply.code(204).send();
  };
  app.post('/v1/events', async (req, reply) => post(req, req.body, reply));
  // Ironic binds a trailing path word to the body argument.
  app.post<{ Params: { word: string } }>('/v1/events/:word', async (req, reply) => post(req, req.params.word, reply));
  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: '/v1/events',
    handler: async (req) => { throw new RoutingError(supports(req, 'events') ? 405 : 404); },
  });
}
