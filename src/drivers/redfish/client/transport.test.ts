/**
 * Transport against real local HTTP servers: Basic vs session auth, session expiry and
 * re-login, bad credentials, retries, timeouts, connection errors, credential scoping.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RedfishClient, RedfishConnectionError, RedfishError, findSystem } from './index.ts';
import { SAMPLES_DIR, closeAfter, fakeBmc, loadJson, sendJson, startServer } from './test-support.ts';

const fast = { retryDelayMs: 1, timeoutMs: 5000 };

describe('authentication', () => {
  it('basic: sends Authorization on every request and never creates a session', async (t) => {
    const bmc = closeAfter(t, await fakeBmc());
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'basic', ...fast }));
    const sys = await findSystem(client);
    assert.equal(sys.id, '1');
    assert.equal(client.authScheme, 'basic');
    assert.equal(bmc.count('POST'), 0);
    const authed = bmc.requests.filter((r) => r.url !== '/redfish/v1/');
    assert.ok(authed.every((r) => r.headers['authorization'] === `Basic ${Buffer.from('admin:secret').toString('base64')}`));
    await client.close();
    assert.equal(bmc.count('DELETE'), 0);
    await bmc.close();
  });

  it('session: logs in once via SessionService, uses X-Auth-Token, logs out on close', async (t) => {
    const bmc = closeAfter(t, await fakeBmc());
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'session', ...fast }));
    await findSystem(client);
    await client.get('/redfish/v1/Systems/1');
    assert.equal(client.authScheme, 'session');
    assert.equal(bmc.count('POST', '/redfish/v1/SessionService/Sessions'), 1);
    const login = bmc.requests.find((r) => r.method === 'POST')!;
    assert.deepEqual(login.body, { UserName: 'admin', Password: 'secret' });
    assert.equal(login.headers['authorization'], undefined);
    assert.ok(bmc.requests.filter((r) => r.url.startsWith('/redfish/v1/Systems')).every((r) => r.headers['x-auth-token'] === 'tok-1'));
    assert.equal(client.sessionUri, '/redfish/v1/SessionService/Sessions/1');
    await client.close();
    const del = bmc.requests.find((r) => r.method === 'DELETE')!;
    assert.equal(del.url, '/redfish/v1/SessionService/Sessions/1');
    assert.equal(del.headers['x-auth-token'], 'tok-1');
    assert.equal(bmc.sessions.size, 0);
    await client.close(); // idempotent
    await assert.rejects(client.get('/redfish/v1/'), (e: unknown) => e instanceof RedfishConnectionError && e.kind === 'closed');
    await bmc.close();
  });

  it('auto: uses a session when the BMC offers one, else falls back to Basic', async (t) => {
    const withSessions = closeAfter(t, await fakeBmc());
    const a = closeAfter(t, new RedfishClient({ address: withSessions.url, username: 'admin', password: 'secret', ...fast }));
    await findSystem(a);
    assert.equal(a.authScheme, 'session');
    await a.close();
    await withSessions.close();

    const noSessions = closeAfter(t, await fakeBmc({ sessions: false }));
    const b = closeAfter(t, new RedfishClient({ address: noSessions.url, username: 'admin', password: 'secret', authType: 'auto', ...fast }));
    assert.equal((await findSystem(b)).id, '1');
    assert.equal(b.authScheme, 'basic');
    assert.equal(noSessions.count('POST'), 1, 'one failed login, then Basic');
    await b.close();
    await noSessions.close();
  });

  it('re-logs in transparently when the BMC drops the session (once, shared by concurrent requests)', async (t) => {
    const bmc = closeAfter(t, await fakeBmc());
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'session', ...fast }));
    await client.get('/redfish/v1/Systems/1');
    bmc.sessions.clear(); // BMC reboot / session timeout
    const results = await Promise.all(Array.from({ length: 5 }, () => client.get('/redfish/v1/Systems/1')));
    assert.equal(results.length, 5);
    assert.equal(bmc.count('POST', '/redfish/v1/SessionService/Sessions'), 2);
    assert.equal(client.sessionUri, '/redfish/v1/SessionService/Sessions/2');
    await client.close();
    await bmc.close();
  });

  it('bad credentials give a 401 RedfishError an operator can act on', async (t) => {
    const bmc = closeAfter(t, await fakeBmc());
    for (const authType of ['basic', 'session', 'auto'] as const) {
      const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'wrong', authType, ...fast }));
      await assert.rejects(client.get('/redfish/v1/Systems/1'), (e: unknown) => {
        assert.ok(e instanceof RedfishError, authType);
        assert.equal(e.status, 401);
        assert.equal(e.retryable, false);
        assert.match(e.message, /Check the BMC username and password/);
        if (authType === 'session') assert.match(e.message, /Invalid username or password\. Session login as "admin" was rejected\. Check/);
        return true;
      });
      await client.close();
    }
    await bmc.close();
  });

  it('does not loop when the fresh session is rejected too', async (t) => {
    const bmc = closeAfter(t, await fakeBmc({
      routes: (req, res) => {
        if (req.url !== '/redfish/v1/Systems/1') return false;
        sendJson(res, 401, { error: { code: 'Base.1.0.NoValidSession', message: 'no' } });
        return true;
      },
    }));
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'session', ...fast }));
    await assert.rejects(client.get('/redfish/v1/Systems/1'), (e: unknown) => {
      assert.ok(e instanceof RedfishError && e.status === 401);
      assert.equal(e.auth, 'session-dropped', 'the login worked: the BMC dropped the session, the password is fine');
      assert.equal(e.retryable, true);
      assert.match(e.message, /right after a successful re-login as "admin": it dropped the new session \(the credentials are valid\)\.$/);
      return true;
    });
    assert.equal(bmc.count('GET', '/redfish/v1/Systems/1'), 2);
    assert.equal(bmc.count('POST'), 2);
    assert.equal(client.sessionUri, undefined, 'only the refused session is discarded; the client stays usable');
    await client.get('/redfish/v1/Systems');
    assert.equal(bmc.count('POST'), 3, 'the next request logs in afresh');
    await client.close();
    await bmc.close();
  });

  it('uses the X-Auth-Token and Location of sushy\'s captured session headers', { skip: !existsSync(SAMPLES_DIR) }, async (t) => {
    for (const [file, location] of [['session_creation_headers.json', '/redfish/v1/SessionService/Sessions/151edd65d41c0b89'],
      ['session_creation_headers_no_location.json', undefined]] as const) {
      const headers = loadJson(join(SAMPLES_DIR, file)) as Record<string, string>;
      const captured: Record<string, string> = {};
      for (const k of ['X-Auth-Token', 'Location', 'ETag', 'OData-Version']) if (headers[k]) captured[k] = headers[k];
      const bmc = closeAfter(t, await fakeBmc({
        routes: (req, res) => {
          if (req.method === 'POST') { sendJson(res, 201, {}, captured); return true; }
          if (req.method === 'DELETE') { res.statusCode = 204; res.end(); return true; }
          if (req.url === '/redfish/v1/Systems/1') { sendJson(res, 200, { Id: '1', token: req.headers['x-auth-token'] }); return true; }
          return false;
        },
      }));
      const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'session', ...fast }));
      assert.equal((await client.get('/redfish/v1/Systems/1'))['token'], 'adc530e2016a0ea98c76c087f0e4b76f');
      assert.equal(client.sessionUri, location);
      await client.close();
      assert.equal(bmc.count('DELETE'), location ? 1 : 0, file);
      await bmc.close();
    }
  });

  it('is async-disposable: leaving an `await using` block logs the session out', async (t) => {
    const bmc = closeAfter(t, await fakeBmc());
    {
      await using client = new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'session', ...fast });
      await client.get('/redfish/v1/Systems/1');
      assert.equal(bmc.sessions.size, 1);
    }
    assert.equal(bmc.sessions.size, 0);
    assert.equal(bmc.count('DELETE', '/redfish/v1/SessionService/Sessions/1'), 1);
  });

  it('treats 403 NoValidSession like 401, and finds Sessions via SessionService when Links lacks it', async (t) => {
    let dropped = false;
    const bmc = closeAfter(t, await fakeBmc({
      routes: (req, res) => {
        if (req.method === 'GET' && req.url === '/redfish/v1/') {
          sendJson(res, 200, { SessionService: { '@odata.id': '/redfish/v1/SessionService' } });
          return true;
        }
        if (req.method === 'GET' && req.url === '/redfish/v1/SessionService') {
          sendJson(res, 200, { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } });
          return true;
        }
        if (req.url === '/redfish/v1/Systems/1' && req.headers['x-auth-token'] === 'tok-1' && dropped) {
          sendJson(res, 403, { error: { code: 'Base.1.0.GeneralError', '@Message.ExtendedInfo': [{ MessageId: 'Base.1.0.NoValidSession' }] } });
          return true;
        }
        return false;
      },
    }));
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'session', ...fast }));
    await client.get('/redfish/v1/Systems/1');
    dropped = true;
    await client.get('/redfish/v1/Systems/1');
    assert.equal(bmc.count('POST', '/redfish/v1/SessionService/Sessions'), 2);
  });

  it('never sends credentials to another origin', async (t) => {
    const other = closeAfter(t, await startServer((req, res) => sendJson(res, 200, { seen: req.headers['authorization'] ?? null })));
    const bmc = closeAfter(t, await fakeBmc());
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'basic', ...fast }));
    assert.equal((await client.get(`${other.url}/registry.json`))['seen'], null);
    await client.close();
    await Promise.all([bmc.close(), other.close()]);
  });
});

describe('retries, timeouts and connection errors', () => {
  it('retries 503 (honouring Retry-After) and then succeeds', async (t) => {
    let calls = 0;
    const server = closeAfter(t, await startServer((_req, res) => {
      calls++;
      if (calls <= 2) return sendJson(res, 503, { error: { code: 'Base.1.0.ServiceTemporarilyUnavailable', message: 'busy' } }, { 'retry-after': '0' });
      sendJson(res, 200, { ok: true });
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, retries: 3, ...fast }));
    assert.deepEqual(await client.get('/redfish/v1/'), { ok: true });
    assert.equal(calls, 3);
    await client.close();

    calls = 0;
    const impatient = closeAfter(t, new RedfishClient({ address: server.url, retries: 1, ...fast }));
    await assert.rejects(impatient.get('/redfish/v1/'), (e: unknown) => {
      assert.ok(e instanceof RedfishError);
      assert.equal(e.status, 503);
      assert.equal(e.retryable, true);
      assert.match(e.message, /HTTP 503 \(Base\.1\.0\.ServiceTemporarilyUnavailable\): busy/);
      return true;
    });
    assert.equal(calls, 2);
    await impatient.close();
    await server.close();
  });

  it('retries a POST on 503 but not on 500 (the action may have run)', async (t) => {
    const statuses = [503, 500, 200];
    const server = closeAfter(t, await startServer((_req, res) => { sendJson(res, statuses.shift() ?? 200, {}); }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, retries: 5, ...fast }));
    await assert.rejects(client.post('/redfish/v1/Systems/1/Actions/ComputerSystem.Reset', { ResetType: 'On' }),
      (e: unknown) => e instanceof RedfishError && e.status === 500);
    assert.equal(server.requests.length, 2);
    await client.close();
    await server.close();
  });

  it('a server that never answers gives a retryable timeout error within the deadline', async (t) => {
    const server = closeAfter(t, await startServer(() => { /* never answer */ }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, timeoutMs: 300, retries: 0 }));
    const started = Date.now();
    await assert.rejects(client.get('/redfish/v1/'), (e: unknown) => {
      assert.ok(e instanceof RedfishConnectionError);
      assert.equal(e.kind, 'timeout');
      assert.equal(e.retryable, true);
      assert.match(e.message, /timed out: no answer from the BMC within 300 ms/);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 1500, `elapsed ${elapsed} ms`);
    await client.close();
    await server.close();
  });

  it('timeouts are retried for GET (each attempt has its own deadline)', async (t) => {
    let calls = 0;
    const server = closeAfter(t, await startServer((_req, res) => { if (++calls >= 2) sendJson(res, 200, { ok: 1 }); }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, timeoutMs: 200, retries: 2, retryDelayMs: 1 }));
    assert.deepEqual(await client.get('/redfish/v1/'), { ok: 1 });
    assert.equal(calls, 2);
    await client.close();
    await server.close();
  });

  it('connection refused is a retryable RedfishConnectionError that names the problem', async (t) => {
    const server = closeAfter(t, await startServer(() => {}));
    const url = server.url;
    await server.close();
    const client = closeAfter(t, new RedfishClient({ address: url, retries: 1, retryDelayMs: 1 }));
    await assert.rejects(client.get('/redfish/v1/'), (e: unknown) => {
      assert.ok(e instanceof RedfishConnectionError);
      assert.equal(e.kind, 'connect');
      assert.equal(e.retryable, true);
      assert.equal(e.notSent, true);
      assert.match(e.message, /connection refused; check the BMC address and port/);
      return true;
    });
    await client.close();
  });

  it('rejects an unusable address early', (t) => {
    assert.throws(() => new RedfishClient({ address: 'ftp://bmc' }), /only http and https/);
    const c = closeAfter(t, new RedfishClient({ address: '10.0.0.5' }));
    assert.equal(c.resolveUrl('Systems'), 'https://10.0.0.5/redfish/v1/Systems', 'scheme defaults to https, relative paths to rootPrefix');
    assert.equal(c.resolveUrl('/redfish/v1/Managers/1/'), 'https://10.0.0.5/redfish/v1/Managers/1/');
  });
});
