/**
 * pformat and verboseSchemaError against texts produced by Python 3.11 pprint and
 * jsonschema 4.10 (what Ironic 21.4 runs), for the schemas 21.4 reports in full.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pformat } from './pformat.ts';
import { verboseSchemaError, type JSchema } from './jsonschema.ts';

const CLEAN: JSchema = {
  $schema: 'http://json-schema.org/schema#', title: 'Clean steps schema', type: 'array',
  items: {
    type: 'object', required: ['interface', 'step'],
    properties: {
      interface: { description: 'driver interface', enum: ['power', 'management', 'deploy', 'bios', 'raid'] },
      step: { description: 'name of clean step', type: 'string', minLength: 1 },
      args: { description: 'additional args', type: 'object', properties: {} },
    },
    additionalProperties: false,
  },
};

test('pformat wraps like pprint at width 72 with sorted keys', () => {
  assert.equal(pformat({ b: [true, null], a: "it's" }, 72), `{'a': "it's", 'b': [True, None]}`);
  assert.equal(pformat(['x'.repeat(40), 'y'.repeat(40)], 72), `['${'x'.repeat(40)}',\n '${'y'.repeat(40)}']`);
});

test('str(ValidationError) as 21.4 puts it in faultstrings', () => {
  assert.equal(verboseSchemaError([{ interface: 'vendor', step: 'x' }], CLEAN),
    "'vendor' is not one of ['power', 'management', 'deploy', 'bios', 'raid']\n\nFailed validating 'enum' in schema['items']['properties']['interface']:\n    {'description': 'driver interface',\n     'enum': ['power', 'management', 'deploy', 'bios', 'raid']}\n\nOn instance[0]['interface']:\n    'vendor'");
  assert.equal(verboseSchemaError([{ interface: 'deploy', step: 'x', priority: 1 }], CLEAN),
    "Additional properties are not allowed ('priority' was unexpected)\n\nFailed validating 'additionalProperties' in schema['items']:\n    {'additionalProperties': False,\n     'properties': {'args': {'description': 'additional args',\n                             'properties': {},\n                             'type': 'object'},\n                    'interface': {'description': 'driver interface',\n                                  'enum': ['power',\n                                           'management',\n                                           'deploy',\n                                           'bios',\n                                           'raid']},\n                    'step': {'description': 'name of clean step',\n                             'minLength': 1,\n                             'type': 'string'}},\n     'required': ['interface', 'step'],\n     'type': 'object'}\n\nOn instance[0]:\n    {'interface': 'deploy', 'priority': 1, 'step': 'x'}");
  const configdrive: JSchema = {
    anyOf: [
      { type: 'object', properties: { meta_data: { type: 'object' }, network_data: { type: 'object' }, user_data: { type: ['object', 'array', 'string', 'null'] }, vendor_data: { type: 'object' } }, additionalProperties: false },
      { type: ['string', 'null'] },
    ],
  };
  assert.equal(verboseSchemaError({ bogus: 1 }, configdrive),
    "Additional properties are not allowed ('bogus' was unexpected)\n\nFailed validating 'additionalProperties' in schema[0]:\n    {'additionalProperties': False,\n     'properties': {'meta_data': {'type': 'object'},\n                    'network_data': {'type': 'object'},\n                    'user_data': {'type': ['object',\n                                           'array',\n                                           'string',\n                                           'null']},\n                    'vendor_data': {'type': 'object'}},\n     'type': 'object'}\n\nOn instance:\n    {'bogus': 1}");
  assert.equal(verboseSchemaError([{ interface: 'deploy', step: 'x' }], CLEAN), null);
});
