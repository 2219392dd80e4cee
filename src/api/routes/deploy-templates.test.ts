/**
 * Deploy templates API, in process: CRUD by UUID and name, trait names, step validation
 * messages, duplicates, `description` dropped, args masked, PATCH rules, version gating.
 * Expected texts were taken from Ironic 21.4 answers to the same requests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { API_SAMPLES_DIR } from '../../testing/shared-data.ts';
import { join } from 'node:path';

const SAMPLE = JSON.parse(readFileSync(join(API_SAMPLES_DIR, 'deploy-template-create-request.json'), 'utf8'));
const UPDATE = JSON.parse(readFileSync(join(API_SAMPLES_DIR, 'deploy-template-update-request.json'), 'utf8'));
const STEP = { interface: 'bios', step: 'x', args: {}, priority: 1 };

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.close(); });

test('create, show, list, update and delete a template (api-ref samples)', async () => {
  const c = await h.req('POST', '/v1/deploy_templates', { ...SAMPLE, description: 'dropped' });
  assert.equal(c.status, 201);
  assert.deepEqual(Object.keys(c.body).sort(), ['created_at', 'extra', 'links', 'name', 'steps', 'updated_at', 'uuid']);
  assert.deepEqual(c.body.steps, SAMPLE.steps);
  assert.match(String(c.headers.location), new RegExp(`/v1/deploy_templates/${c.body.uuid}$`));
  const byName = await h.req('GET', '/v1/deploy_templates/CUSTOM_HYPERTHREADING_ON');
  assert.equal(byName.body.uuid, c.body.uuid);
  assert.equal(byName.body.description, undefined);
  const list = await h.req('GET', '/v1/deploy_templates');
  assert.deepEqual(list.body.deploy_templates.map((t: any) => Object.keys(t).sort()), [['links', 'name', 'uuid']]);
  const detail = await h.req('GET', '/v1/deploy_templates?detail=True');
  assert.deepEqual(detail.body.deploy_templates[0].steps, SAMPLE.steps);
  const u = await h.req('PATCH', `/v1/deploy_templates/${c.body.uuid}`, UPDATE);
  assert.equal(u.status, 200);
  assert.equal(u.body.name, 'CUSTOM_HT_ON');
  assert.equal((await h.req('DELETE', '/v1/deploy_templates/CUSTOM_HT_ON')).status, 204);
  const gone = await h.req('GET', `/v1/deploy_templates/${c.body.uuid}`);
  assert.equal(gone.status, 404);
  assert.equal(h.fault(gone.body), `Deploy template ${c.body.uuid} could not be found.`);
});

test('step args are password-masked; string priorities are echoed on create, integers afterwards', async () => {
  const c = await h.req('POST', '/v1/deploy_templates', {
    name: 'CUSTOM_MASK', steps: [{ interface: 'bios', step: 'apply_configuration', priority: '10', args: { password: 'x', nested: { token: 't' }, s: 'password=abc', keep: 'v' } }],
  });
  assert.equal(c.status, 201);
  assert.equal(c.body.steps[0].priority, '10');
  assert.deepEqual(c.body.steps[0].args, { password: '******', nested: { token: '******' }, s: 'password=******', keep: 'v' });
  const g = await h.req('GET', '/v1/deploy_templates/CUSTOM_MASK');
  assert.equal(g.body.steps[0].priority, 10);
});

test('PATCH keeps unchanged steps in place, appends new ones, validates each step', async () => {
  await h.req('POST', '/v1/deploy_templates', { name: 'CUSTOM_P', steps: [STEP], extra: { a: 1 } });
  const add = await h.req('PATCH', '/v1/deploy_templates/CUSTOM_P', [{ op: 'add', path: '/steps/-', value: { interface: 'raid', step: 'create_configuration', args: {}, priority: 6 } }]);
  assert.deepEqual(add.body.steps.map((s: any) => s.interface), ['bios', 'raid']);
  const cases: [unknown, string][] = [
    [[{ op: 'replace', path: '/steps/0/priority', value: -3 }], 'Schema error for patch: -3 is less than the minimum of 0'],
    [[{ op: 'replace', path: '/name', value: 'bad' }], "Schema error for patch: 'bad' is not valid under any of the given schemas. Possible root cause: 'bad' does not match '^CUSTOM_[A-Z0-9_]+$'"],
    [[{ op: 'replace', path: '/uuid', value: 'bad' }], 'Cannot patch /uuid. Only the following can be updated: extra, name, steps, description'],
    [[{ op: 'remove', path: '/steps' }], "Schema error for patch: 'steps' is a required property"],
    [[{ op: 'remove', path: '/name' }], "Schema error for patch: 'name' is a required property"],
    [[{ op: 'replace', path: '/steps', value: [] }], 'Schema error for patch: [] is too short'],
    [[{ op: 'add', path: '/description', value: 'd' }], 'Adding a new attribute (/description) to the root of the resource is not allowed'],
    [[{ op: 'replace', path: '/steps/1', value: { interface: 'bios', step: 'x', args: {}, priority: 3 } }],
      'Deploy template invalid: Duplicate deploy steps. A deploy template cannot have multiple deploy steps with the same interface and step. Duplicates: interface: bios, step: x.'],
  ];
  for (const [ops, msg] of cases) {
    const r = await h.req('PATCH', '/v1/deploy_templates/CUSTOM_P', ops);
    assert.equal(r.status, 400, JSON.stringify(ops));
    assert.equal(h.fault(r.body), msg);
  }
  const extraKey = await h.req('PATCH', '/v1/deploy_templates/CUSTOM_P', [{ op: 'add', path: '/steps/0/foo', value: 1 }]);
  assert.equal(extraKey.status, 200, 'unknown step keys are pruned, as Ironic does');
  assert.deepEqual(Object.keys(extraKey.body.steps[0]).sort(), ['args', 'interface', 'priority', 'step']);
  const prio = await h.req('PATCH', '/v1/deploy_templates/CUSTOM_P', [{ op: 'replace', path: '/steps/0/priority', value: '7' }, { op: 'remove', path: '/extra' }]);
  assert.equal(prio.status, 200, '21.4 answers 500 here; Ingot accepts the digit string');
  assert.deepEqual(prio.body.steps.map((s: any) => [s.interface, s.priority]), [['raid', 6], ['bios', 7]]);
  assert.deepEqual(prio.body.extra, {});
  await h.req('POST', '/v1/deploy_templates', { name: 'CUSTOM_Q', steps: [STEP] });
  const dup = await h.req('PATCH', '/v1/deploy_templates/CUSTOM_P', [{ op: 'replace', path: '/name', value: 'CUSTOM_Q' }]);
  assert.equal(dup.status, 409);
  assert.equal(h.fault(dup.body), 'A deploy template with name CUSTOM_Q already exists.');
});

test('create validation: trait names, steps, duplicates, UUID', async () => {
  const cases: [unknown, number, string][] = [
    [{ name: 'foo', steps: [STEP] }, 400, "Schema error for template: 'foo' is not valid under any of the given schemas. Possible root cause: 'foo' does not match '^CUSTOM_[A-Z0-9_]+$'"],
    [{ name: 5, steps: [STEP] }, 400, "Schema error for template: 5 is not of type 'string'"],
    [{ name: '', steps: [STEP] }, 400, "Schema error for template: '' is too short"],
    [{ name: 'CUSTOM_' + 'A'.repeat(250), steps: [STEP] }, 400, `Schema error for template: 'CUSTOM_${'A'.repeat(250)}' is too long`],
    [{ name: 'CUSTOM_X' }, 400, "Schema error for template: 'steps' is a required property"],
    [{}, 400, "Schema error for template: 'steps' is a required property"],
    [{ name: 'foo', steps: [] }, 400, 'Schema error for template: [] is too short'],
    [{ name: 5, steps: [] }, 400, "Schema error for template: 5 is not of type 'string'"],
    [{ name: 'CUSTOM_X', steps: [{ ...STEP, interface: 'vendor' }] }, 400, "Schema error for template: 'vendor' is not one of ['power', 'management', 'deploy', 'bios', 'raid']"],
    [{ name: 'CUSTOM_X', steps: [{ ...STEP, step: '' }] }, 400, "Schema error for template: '' is too short"],
    [{ name: 'CUSTOM_X', steps: [{ ...STEP, priority: -1 }] }, 400, 'Schema error for template: -1 is less than the minimum of 0'],
    [{ name: 'CUSTOM_X', steps: [{ ...STEP, priority: 'abc' }] }, 400, "Schema error for template: 'abc' does not match '^[0-9]+$'"],
    [{ name: 'CUSTOM_X', steps: [{ ...STEP, priority: 1.5 }] }, 400, "Schema error for template: 1.5 is not valid under any of the given schemas. Possible root cause: 1.5 is not of type 'integer'"],
    [{ name: 'CUSTOM_X', steps: [{ ...STEP, priority: null }] }, 400, "Schema error for template: None is not valid under any of the given schemas. Possible root cause: None is not of type 'integer'"],
    [{ name: 'CUSTOM_X', steps: [{ interface: 'bios', step: 'x', args: {} }] }, 400, "Schema error for template: 'priority' is a required property"],
    [{ name: 'CUSTOM_X', steps: [{ ...STEP, args: [] }] }, 400, "Schema error for template: [] is not of type 'object'"],
    [{ name: 'CUSTOM_X', steps: [{ ...STEP, foo: 1 }] }, 400, "Schema error for template: Additional properties are not allowed ('foo' was unexpected)"],
    [{ name: 'CUSTOM_X', steps: [STEP, { ...STEP, priority: 2 }] }, 400,
      'Deploy template invalid: Duplicate deploy steps. A deploy template cannot have multiple deploy steps with the same interface and step. Duplicates: interface: bios, step: x.'],
    [{ name: 'CUSTOM_X', steps: [STEP], uuid: 'xyz' }, 400, 'Expected UUID for uuid: xyz'],
    [{ name: 'CUSTOM_X', steps: [STEP], description: 5 }, 400, "Schema error for template: 5 is not of type 'string', 'null'"],
    [{ name: 'CUSTOM_X', steps: [STEP], bogus: 5 }, 400, "Schema error for template: Additional properties are not allowed ('bogus' was unexpected)"],
    [[], 400, "Schema error for template: [] is not of type 'object'"],
  ];
  for (const [body, status, msg] of cases) {
    const r = await h.req('POST', '/v1/deploy_templates', body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(h.fault(r.body), msg, JSON.stringify(body));
  }
  const std = await h.req('POST', '/v1/deploy_templates', { name: 'HW_CPU_X86_AVX2', steps: [STEP], uuid: 'aaaaaaaa-0000-4000-8000-000000000002' });
  assert.equal(std.status, 201, 'standard os-traits names are valid');
  const again = await h.req('POST', '/v1/deploy_templates', { name: 'CUSTOM_OTHER', steps: [STEP], uuid: 'aaaaaaaa-0000-4000-8000-000000000002' });
  assert.equal(again.status, 409);
  assert.equal(h.fault(again.body), 'A deploy template with UUID aaaaaaaa-0000-4000-8000-000000000002 already exists.');
  const dupName = await h.req('POST', '/v1/deploy_templates', { name: 'HW_CPU_X86_AVX2', steps: [STEP] });
  assert.equal(h.fault(dupName.body), 'A deploy template with name HW_CPU_X86_AVX2 already exists.');
});

test('list arguments and lookups', async () => {
  const list: [string, number, string][] = [
    ['/v1/deploy_templates?fields=bogus', 400, 'Field(s) "bogus" are not valid'],
    ['/v1/deploy_templates?fields=name&detail=True', 400, 'Can not specify ?detail=True and fields in the same request.'],
    ['/v1/deploy_templates?marker=HW_CPU_X86_AVX2', 404, 'Deploy template HW_CPU_X86_AVX2 could not be found.'],
    ['/v1/deploy_templates?marker=bad!', 400, 'Expected name for marker: bad!'],
    ['/v1/deploy_templates?sort_key=steps', 400, 'The sort_key value steps is an invalid field for sorting'],
    ['/v1/deploy_templates?sort_key=bogus', 400, 'The sort_key value "bogus" is an invalid field for sorting'],
    ['/v1/deploy_templates/bad!', 400, 'Expected UUID or name for template_ident: bad!'],
    ['/v1/deploy_templates/CUSTOM_ING_NOPE?fields=name', 404, 'Deploy template CUSTOM_ING_NOPE could not be found.'],
    ['/v1/deploy_templates/HW_CPU_X86_AVX2?fields=name,description', 400, 'Field(s) "description" are not valid'],
  ];
  for (const [url, status, msg] of list) {
    const r = await h.req('GET', url);
    assert.equal(r.status, status, url);
    assert.equal(h.fault(r.body), msg, url);
  }
  const p = await h.req('GET', '/v1/deploy_templates?sort_key=name&limit=1');
  assert.match(p.body.next, /\/v1\/deploy_templates\?sort_key=name&sort_dir=asc&fields=uuid,name&limit=1&marker=[0-9a-f-]{36}$/);
  const marker = p.body.next.split('marker=')[1];
  const p2 = await h.req('GET', `/v1/deploy_templates?sort_key=name&limit=1&marker=${marker}`);
  assert.notEqual(p2.body.deploy_templates[0].uuid, marker);
});

test('version gating: 404 for GET and 405 for other methods below 1.55', async () => {
  for (const [m, url, status] of [['GET', '/v1/deploy_templates', 404], ['GET', '/v1/deploy_templates/x', 404], ['POST', '/v1/deploy_templates', 405],
    ['PATCH', '/v1/deploy_templates/x', 405], ['DELETE', '/v1/deploy_templates/x', 405]] as const) {
    const r = await h.req(m, url, m === 'GET' || m === 'DELETE' ? undefined : {}, { version: '1.54' });
    assert.equal(r.status, status, `${m} ${url}`);
    assert.equal(JSON.parse(r.body.error_message).description, 'The API version does not allow deploy templates');
  }
});
