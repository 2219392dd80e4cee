/**
 * TLS against an HTTPS server whose CA and certificate are made with openssl at test time:
 * verifyCa=false accepts it, verifyCa=<CA path> (file or directory) verifies it, and default
 * verification fails with a non-retryable error that tells the operator what to set.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RedfishClient, RedfishClientError, RedfishConnectionError, getServiceRoot } from './index.ts';
import { makeCerts, sendJson, startHttpsServer, type TestCerts, type TestServer } from './test-support.ts';

function haveOpenssl(): boolean {
  try { execFileSync('openssl', ['version'], { stdio: 'pipe' }); return true; } catch { return false; }
}

describe('TLS verification', { skip: !haveOpenssl() && 'openssl not installed' }, () => {
  let certs: TestCerts;
  let server: TestServer;

  before(async () => {
    certs = makeCerts();
    server = await startHttpsServer((req, res) => {
      if (req.url === '/redfish/v1/') return sendJson(res, 200, { '@odata.id': '/redfish/v1/', RedfishVersion: '1.15.0', Id: 'RootService' });
      sendJson(res, 404, {});
    }, certs);
  });
  after(async () => {
    await server.close();
    rmSync(certs.dir, { recursive: true, force: true });
  });

  it('verifyCa=false accepts an untrusted certificate', async () => {
    const client = new RedfishClient({ address: server.url, verifyCa: false, retries: 0 });
    try {
      assert.equal((await getServiceRoot(client)).redfishVersion, '1.15.0');
    } finally { await client.close(); }
  });

  it('verifyCa=<CA bundle path> verifies the chain', async () => {
    const client = new RedfishClient({ address: server.url, verifyCa: certs.caPath, retries: 0 });
    try {
      assert.equal((await getServiceRoot(client)).id, 'RootService');
    } finally { await client.close(); }
  });

  it('verifyCa=<directory of CA files> works too (as Ironic\'s redfish_verify_ca allows)', async () => {
    const dir = join(certs.dir, 'cadir');
    mkdirSync(dir);
    copyFileSync(certs.caPath, join(dir, 'test-ca.crt'));
    const client = new RedfishClient({ address: server.url, verifyCa: dir, retries: 0 });
    try {
      assert.equal((await getServiceRoot(client)).id, 'RootService');
    } finally { await client.close(); }
  });

  it('default verification rejects the certificate with a clear, non-retryable error', async () => {
    const client = new RedfishClient({ address: server.url, retries: 3, retryDelayMs: 1 });
    const before = server.requests.length;
    try {
      await assert.rejects(client.get('/redfish/v1/'), (e: unknown) => {
        assert.ok(e instanceof RedfishConnectionError);
        assert.equal(e.kind, 'tls');
        assert.equal(e.retryable, false);
        assert.match(e.message, /failed TLS verification/);
        assert.match(e.message, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
        assert.match(e.message, /Set verifyCa to the path of the CA bundle/);
        return true;
      });
      assert.equal(server.requests.length, before, 'no HTTP request got through');
    } finally { await client.close(); }
  });

  it('a CA bundle that does not exist is reported at construction', () => {
    assert.throws(() => new RedfishClient({ address: server.url, verifyCa: '/nonexistent/ca.pem' }),
      (e: unknown) => e instanceof RedfishClientError && !e.retryable && /CA bundle \/nonexistent\/ca.pem \(verifyCa\) cannot be read/.test(e.message));
  });
});
