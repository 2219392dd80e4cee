/**
 * Pure helpers: path comparison (HPE case/trailing-slash quirks), links, actions, allowable
 * values, MAC normalisation, Retry-After parsing, message-arg substitution.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RedfishInvalidValueError, actionInfoAllowableValues, allowableValues, checkAllowed, findAction, lastSegment, links,
  normalizeMac, normalizePath, parseMessages, parseRetryAfter, protocolOf, samePath, substituteArgs,
} from './index.ts';

describe('paths', () => {
  it('compares case- and trailing-slash-insensitively, ignoring origin, query and fragment', () => {
    assert.ok(samePath('/redfish/v1/Systems/1/', '/redfish/v1/systems/1'));
    assert.ok(samePath('https://10.0.0.1/redfish/v1/Systems/1', '/redfish/v1/Systems/1'));
    assert.ok(samePath('/redfish/v1/Systems/1/Storage/1#/StorageControllers/0', '/redfish/v1/Systems/1/Storage/1'));
    assert.ok(samePath('/redfish/v1//Systems/1', '/redfish/v1/Systems/1'));
    assert.ok(!samePath('/redfish/v1/Systems/1', '/redfish/v1/Systems/10'));
    assert.ok(!samePath(undefined, '/x'));
    assert.equal(normalizePath('/redfish/v1/'), '/redfish/v1');
    assert.equal(normalizePath('/'), '/');
    assert.equal(normalizePath('/Registries/X?$skip=2'), '/registries/x');
  });

  it('takes the last segment of ids with or without trailing slash', () => {
    assert.equal(lastSegment('/redfish/v1/Systems/1/'), '1');
    assert.equal(lastSegment('/redfish/v1/Systems/System.Embedded.1'), 'System.Embedded.1');
    assert.equal(lastSegment('/redfish/v1/Managers/My%20BMC'), 'My BMC');
  });

  it('reads link arrays and ignores malformed entries', () => {
    assert.deepEqual(links({ Drives: [{ '@odata.id': '/a' }, 'junk', null, { x: 1 }, { '@odata.id': '/b' }] }, 'Drives'), ['/a', '/b']);
    assert.deepEqual(links({ Drives: {} }, 'Drives'), []);
    assert.deepEqual(links(undefined, 'Drives'), []);
  });
});

describe('actions and allowable values', () => {
  const system = {
    Actions: {
      '#computersystem.reset': { target: '/r', 'ResetType@Redfish.AllowableValues': ['On', 'ForceOff'] },
      Oem: { '#Contoso.Reset': { target: '/oem' } },
      '#Bios.ResetBios': { title: 'no target' },
    },
  };

  it('finds standard actions (tolerating key case) but never OEM ones or ones without a target', () => {
    const reset = findAction(system, 'ComputerSystem.Reset');
    assert.equal(reset?.target, '/r');
    assert.deepEqual(allowableValues(reset?.raw, 'ResetType'), ['On', 'ForceOff']);
    assert.equal(findAction(system, '#Contoso.Reset'), undefined);
    assert.equal(findAction(system, 'Bios.ResetBios'), undefined);
    assert.equal(findAction({}, 'ComputerSystem.Reset'), undefined);
  });

  it('checkAllowed returns the BMC spelling, accepts anything when unknown, and reports the list', () => {
    const fail = (a: readonly string[]): never => { throw new RedfishInvalidValueError('ResetType', 'x', a); };
    assert.equal(checkAllowed('forceoff', ['On', 'ForceOff'], fail), 'ForceOff');
    assert.equal(checkAllowed('Anything', undefined, fail), 'Anything');
    assert.throws(() => checkAllowed('Nmi', ['On', 'ForceOff'], fail), /allowed values: On, ForceOff/);
  });

  it('reads parameter allowable values from an ActionInfo', () => {
    const info = { Parameters: [{ Name: 'ResetType', AllowableValues: ['On', 'ForceOff'] }, { Name: 'Other' }] };
    assert.deepEqual(actionInfoAllowableValues(info, 'ResetType'), ['On', 'ForceOff']);
    assert.equal(actionInfoAllowableValues(info, 'Other'), undefined);
    assert.equal(actionInfoAllowableValues({}, 'ResetType'), undefined);
  });
});

describe('small parsers', () => {
  it('normalises MAC addresses', () => {
    assert.equal(normalizeMac('12:44:6A:3B:04:11'), '12:44:6a:3b:04:11');
    assert.equal(normalizeMac('12-44-6A-3B-04-11'), '12:44:6a:3b:04:11');
    assert.equal(normalizeMac('12446a3b0411'), '12:44:6a:3b:04:11');
    assert.equal(normalizeMac('not a mac'), undefined);
    assert.equal(normalizeMac(''), undefined);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('substitutes message args and orders messages by severity', () => {
    assert.equal(substituteArgs('Property %1 of %2 is read only (%3).', ['SKU', 'System']), 'Property SKU of System is read only (%3).');
    const msgs = parseMessages([
      { Message: 'ok', Severity: 'OK' }, { Message: 'warn', Severity: 'Warning' }, { MessageId: 'X.1.Crit', Severity: 'Critical' },
    ]);
    assert.deepEqual(msgs.map((m) => m.message ?? m.messageId), ['X.1.Crit', 'warn', 'ok']);
  });

  it('derives TransferProtocolType from the image URL', () => {
    assert.equal(protocolOf('https://h/x.iso'), 'HTTPS');
    assert.equal(protocolOf('HTTP://h/x.iso'), 'HTTP');
    assert.equal(protocolOf('nfs://h/x.iso'), 'NFS');
    assert.equal(protocolOf('smb://h/x.iso'), 'CIFS');
    assert.equal(protocolOf('/local/x.iso'), undefined);
  });
});
