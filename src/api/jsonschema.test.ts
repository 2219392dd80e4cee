/**
 * jsonschema best-match messages. Expected texts were taken from the reference Ironic
 * 21.4 (port local_link_connection and port body errors).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaError, validateSchema, pyRepr, type JSchema } from './jsonschema.ts';

const PROPS: Record<string, JSchema> = {
  port_id: { type: 'string' }, switch_id: { type: 'string' }, hostname: { type: 'string' }, switch_info: { type: 'string' },
  network_type: { type: 'string', enum: ['managed', 'unmanaged'] },
};
const llc = (required: string[], props = PROPS): JSchema => ({ type: 'object', properties: props, additionalProperties: false, required });
const LLC: JSchema = {
  anyOf: [llc(['port_id', 'switch_id']), llc(['port_id', 'hostname']),
    llc(['network_type'], { ...PROPS, network_type: { type: 'string', enum: ['unmanaged'] } }), { type: 'object', additionalProperties: false }],
};

test('anyOf: equal-relevance alternatives give the generic message plus the first root cause', () => {
  assert.equal(schemaError({ switch_id: '0a:1b:2c:3d:4e:5f' }, LLC),
    "{'switch_id': '0a:1b:2c:3d:4e:5f'} is not valid under any of the given schemas. Possible root cause: 'port_id' is a required property");
  assert.equal(schemaError({ port_id: 'Eth1' }, LLC),
    "{'port_id': 'Eth1'} is not valid under any of the given schemas. Possible root cause: 'switch_id' is a required property");
  assert.equal(schemaError({ foo: 'bar' }, LLC),
    "{'foo': 'bar'} is not valid under any of the given schemas. Possible root cause: Additional properties are not allowed ('foo' was unexpected)");
  assert.equal(schemaError({ network_type: 'other' }, LLC),
    "{'network_type': 'other'} is not valid under any of the given schemas. Possible root cause: 'port_id' is a required property");
  assert.equal(schemaError({ switch_id: 5, port_id: 'Eth1' }, LLC),
    "{'switch_id': 5, 'port_id': 'Eth1'} is not valid under any of the given schemas. Possible root cause: 'hostname' is a required property");
});

test('anyOf: one deeper error wins outright (no root-cause suffix)', () => {
  assert.equal(schemaError({ network_type: 'managed' }, LLC), "'managed' is not one of ['unmanaged']");
});

test('valid values pass; None is never validated', () => {
  assert.equal(schemaError({}, LLC), null);
  assert.equal(schemaError({ port_id: 'p', switch_id: 's', switch_info: 'i' }, LLC), null);
  assert.equal(schemaError({ network_type: 'unmanaged' }, LLC), null);
  assert.doesNotThrow(() => validateSchema('x', null, { type: 'object' }));
});

test('object errors: shallow errors beat property errors, in schema keyword order', () => {
  const s: JSchema = {
    type: 'object', properties: { address: { type: 'string' }, node_uuid: { type: 'string' }, n: { type: ['string', 'null'], maxLength: 3 } },
    required: ['address', 'node_uuid'], additionalProperties: false,
  };
  assert.equal(schemaError({ address: 5, foo: 1 }, s), "'node_uuid' is a required property");
  assert.equal(schemaError({ address: 5, node_uuid: 'x', foo: 1 }, s), "Additional properties are not allowed ('foo' was unexpected)");
  assert.equal(schemaError({ address: 5, node_uuid: 'x', a: 1, b: 2 }, s), "Additional properties are not allowed ('a', 'b' were unexpected)");
  assert.equal(schemaError({ address: 5, node_uuid: 'x' }, s), "5 is not of type 'string'");
  assert.equal(schemaError({ address: 'a', node_uuid: 'x', n: 'abcd' }, s), "'abcd' is too long");
  assert.equal(schemaError({ address: 'a', node_uuid: 'x', n: 1 }, s), "1 is not of type 'string', 'null'");
  assert.equal(schemaError([], s), "[] is not of type 'object'");
  assert.throws(() => validateSchema('port', [], s), /^InvalidError|Schema error for port: \[\] is not of type 'object'/);
});

test("pyRepr quotes like CPython's repr", () => {
  assert.equal(pyRepr("it's"), `"it's"`);
  assert.equal(pyRepr('say "x"'), `'say "x"'`);
  assert.equal(pyRepr({ a: [true, null, 1.5] }), "{'a': [True, None, 1.5]}");
});
