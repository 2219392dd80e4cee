/**
 * System- and media-level behaviour not covered by the mockups: boot changes routed to a
 * settings object (Nokia/Lenovo), system resolution errors, power with unknown allowable
 * values, virtual media in both places, InsertMedia/EjectMedia fallbacks, and logging hygiene.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import {
  RedfishClient, RedfishInvalidValueError, RedfishProtocolError, ejectMedia, findSystem, getSystem, insertMedia,
  listVirtualMedia, parseSecureBoot, resetSecureBootKeys, setBootOverride, setPower, type RedfishLogger,
} from './index.ts';
import { SAMPLES_DIR, closeAfter, fakeBmc, loadJson, sendJson, startServer, type RecordedRequest } from './test-support.ts';
import type { ServerResponse } from 'node:http';

const fast = { retryDelayMs: 1, timeoutMs: 5000, retries: 0, taskPollMs: 5 };

function mapServer(map: Record<string, unknown>, routes?: (req: RecordedRequest, res: ServerResponse) => boolean) {
  return startServer((req, res) => {
    if (routes?.(req, res)) return;
    if (req.method !== 'GET') { res.statusCode = 204; res.end(); return; }
    const body = map[req.url];
    if (body === undefined) return sendJson(res, 404, { error: { code: 'Base.1.0.ResourceMissingAtURI', message: `no ${req.url}` } });
    sendJson(res, 200, body);
  });
}

describe('boot override via a settings object', { skip: !existsSync(SAMPLES_DIR) }, () => {
  const sample = (f: string) => loadJson(join(SAMPLES_DIR, f));

  it('Nokia: Boot properties present in the settings object are PATCHed there', async (t) => {
    const system = { ...sample('system.json'), '@odata.id': '/redfish/v1/Systems/Self', ...sample('settings-nokia.json') };
    const server = closeAfter(t, await mapServer({ '/redfish/v1/Systems/Self': system, '/redfish/v1/Systems/Self/SD': sample('settings-body-nokia.json') }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const sys = await getSystem(client, '/redfish/v1/Systems/Self');
    await setBootOverride(client, sys, { target: 'Cd', enabled: 'Once', mode: 'UEFI' });
    const patches = server.requests.filter((r) => r.method === 'PATCH');
    assert.equal(patches.length, 1);
    assert.equal(patches[0]!.url, '/redfish/v1/Systems/Self/SD');
    assert.equal(patches[0]!.headers['if-match'], '"1660209630"');
    assert.deepEqual(patches[0]!.body, { Boot: { BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: 'UEFI' } });
  });

  it('Lenovo SE450: a settings object without those properties leaves them on the system', async (t) => {
    const system = { ...sample('system.json'), '@odata.id': '/redfish/v1/Systems/1', ...sample('settings-lenovo-se450.json') };
    const server = closeAfter(t, await mapServer({ '/redfish/v1/Systems/1': system, '/redfish/v1/Systems/1/Pending': sample('settings-body-lenovo-se450.json') }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    await setBootOverride(client, await getSystem(client, '/redfish/v1/Systems/1'), { target: 'Hdd', enabled: 'Continuous' });
    const patches = server.requests.filter((r) => r.method === 'PATCH');
    assert.deepEqual(patches.map((p) => p.url), ['/redfish/v1/Systems/1']);
    assert.deepEqual(patches[0]!.body, { Boot: { BootSourceOverrideTarget: 'Hdd', BootSourceOverrideEnabled: 'Continuous' } });
  });
});

describe('systems and power', () => {
  it('needs an explicit id when there are several systems, and names unknown ones', async (t) => {
    const server = closeAfter(t, await mapServer({
      '/redfish/v1/': { Systems: { '@odata.id': '/redfish/v1/Systems' } },
      '/redfish/v1/Systems': { Members: [{ '@odata.id': '/redfish/v1/Systems/A' }, { '@odata.id': '/redfish/v1/Systems/B' }] },
      '/redfish/v1/Systems/B': { Id: 'B', PowerState: 'Off' },
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    await assert.rejects(findSystem(client), /has 2 systems \(\/redfish\/v1\/Systems\/A, \/redfish\/v1\/Systems\/B\); set the system id explicitly/);
    assert.equal((await findSystem(client, 'b')).powerState, 'Off');
    await assert.rejects(findSystem(client, 'C'), (e: unknown) => e instanceof RedfishProtocolError && /No system "C"/.test(e.message));
  });

  it('uses the first candidate ResetType when the BMC publishes no allowable values; waits on a 202', async (t) => {
    let polled = 0;
    const server = closeAfter(t, await mapServer({
      '/redfish/v1/Systems/1': { Id: '1', Actions: { '#ComputerSystem.Reset': { target: '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset' } } },
    }, (req, res) => {
      if (req.method === 'POST') { sendJson(res, 202, undefined, { location: '/taskmon/1' }); return true; }
      if (req.url === '/taskmon/1') { polled++; res.statusCode = 204; res.end(); return true; }
      return false;
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const sys = await getSystem(client, '/redfish/v1/Systems/1');
    assert.equal(await setPower(client, sys, 'soft-off'), 'GracefulShutdown');
    assert.equal(polled, 1);
    await assert.rejects(setPower(client, { ...sys, reset: undefined }, 'on'), /offers no #ComputerSystem.Reset action/);
  });

  it('validates SecureBoot.ResetKeys types', async (t) => {
    const server = closeAfter(t, await mapServer({}));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const sb = parseSecureBoot({
      '@odata.id': '/sb', Actions: { '#SecureBoot.ResetKeys': { target: '/sb/reset', 'ResetKeysType@Redfish.AllowableValues': ['DeleteAllKeys'] } },
    });
    await assert.rejects(resetSecureBootKeys(client, sb, 'DeletePK'), RedfishInvalidValueError);
    await resetSecureBootKeys(client, sb, 'deleteallkeys');
    assert.deepEqual(server.requests.at(-1)!.body, { ResetKeysType: 'DeleteAllKeys' });
  });
});

describe('virtual media', () => {
  const vm = (id: string, extra: Record<string, unknown> = {}) => ({ '@odata.id': id, Id: id.split('/').pop(), MediaTypes: ['CD'], ...extra });

  it('collects devices from the System and its Managers without duplicates', async (t) => {
    const server = closeAfter(t, await mapServer({
      '/redfish/v1/Systems/1': { Id: '1', VirtualMedia: { '@odata.id': '/redfish/v1/Systems/1/VirtualMedia' }, Links: { ManagedBy: [{ '@odata.id': '/redfish/v1/Managers/1' }] } },
      '/redfish/v1/Systems/1/VirtualMedia': { Members: [{ '@odata.id': '/redfish/v1/Systems/1/VirtualMedia/CD1' }] },
      '/redfish/v1/Managers/1': { Id: '1', VirtualMedia: { '@odata.id': '/redfish/v1/Managers/1/VirtualMedia/' } },
      '/redfish/v1/Managers/1/VirtualMedia/': { Members: [{ '@odata.id': '/redfish/v1/systems/1/virtualmedia/cd1/' }, { '@odata.id': '/redfish/v1/Managers/1/VirtualMedia/USB1' }] },
      '/redfish/v1/Systems/1/VirtualMedia/CD1': vm('/redfish/v1/Systems/1/VirtualMedia/CD1'),
      '/redfish/v1/systems/1/virtualmedia/cd1/': vm('/redfish/v1/systems/1/virtualmedia/cd1/'),
      '/redfish/v1/Managers/1/VirtualMedia/USB1': vm('/redfish/v1/Managers/1/VirtualMedia/USB1', { MediaTypes: ['USBStick'] }),
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const list = await listVirtualMedia(client, await getSystem(client, '/redfish/v1/Systems/1'));
    assert.deepEqual(list.map((v) => v.uri), ['/redfish/v1/Systems/1/VirtualMedia/CD1', '/redfish/v1/Managers/1/VirtualMedia/USB1']);
  });

  it('adds TransferMethod when the BMC demands it, and retries EjectMedia with {} after 415', async (t) => {
    const server = closeAfter(t, await mapServer({}, (req, res) => {
      if (req.method !== 'POST') return false;
      const body = req.body as Record<string, unknown> | undefined;
      if (req.url.endsWith('InsertMedia') && !body?.['TransferMethod']) {
        sendJson(res, 400, { error: { code: 'Base.1.4.0.GeneralError', '@Message.ExtendedInfo': [{ Message: "'TransferMethod' property which is mandatory to complete the action is missing in the request body.", Severity: 'Critical' }] } });
        return true;
      }
      if (req.url.endsWith('EjectMedia') && body === undefined) {
        sendJson(res, 415, { error: { code: 'Base.1.0.UnsupportedMediaType', message: 'Content-Type required' } });
        return true;
      }
      res.statusCode = 204; res.end();
      return true;
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const device = {
      uri: '/vm/1', id: '1', name: 'CD', mediaTypes: ['CD'], image: undefined, imageName: undefined, inserted: false, mediaPresent: false,
      writeProtected: true, connectedVia: undefined, transferProtocolType: undefined, transferMethod: undefined,
      insertTarget: '/vm/1/Actions/VirtualMedia.InsertMedia', ejectTarget: '/vm/1/Actions/VirtualMedia.EjectMedia', raw: {},
    };
    await insertMedia(client, device, { image: 'http://h/x.iso', username: 'u', password: 'p', inserted: true, writeProtected: false });
    const posts = server.requests.filter((r) => r.method === 'POST');
    assert.deepEqual(posts.map((p) => p.body), [
      { Image: 'http://h/x.iso', UserName: 'u', Password: 'p', WriteProtected: false },
      { Image: 'http://h/x.iso', UserName: 'u', Password: 'p', WriteProtected: false, TransferMethod: 'Stream' },
    ]);
    await ejectMedia(client, device);
    assert.deepEqual(server.requests.filter((r) => r.method === 'POST').slice(2).map((p) => p.body), [undefined, {}]);
  });
});

describe('logging', () => {
  it('accepts a pino logger and never logs passwords or tokens', async (t) => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const logger: RedfishLogger = pino({ level: 'debug' }, sink);
    const bmc = closeAfter(t, await fakeBmc());
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'session', logger, ...fast }));
    await client.get('/redfish/v1/Systems/1');
    bmc.sessions.clear();
    await client.get('/redfish/v1/Systems/1');
    await client.close();
    const all = lines.join('');
    assert.match(all, /Redfish session rejected \(expired or dropped\); logging in again/);
    assert.match(all, /"status":200/);
    assert.doesNotMatch(all, /secret|tok-1|tok-2/);
  });
});
