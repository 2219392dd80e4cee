/**
 * IPA's auto-TLS: a self-signed certificate for the advertised address (CN and
 * subjectAltName), valid 90 days, made with `openssl`. The agent serves HTTPS with it,
 * advertises `https://…` and sends the PEM as `agent_verify_ca` with every heartbeat
 * (API ≥ 1.68), which the conductor then uses to verify the agent.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { run } from './proc.ts';

export interface SelfSigned { cert: string; key: string }

export async function selfSignedCertificate(host: string, tmpDir: string): Promise<SelfSigned> {
  const dir = await mkdtemp(join(tmpDir, 'ingot-agent-tls-'));
  try {
    const h = host.replace(/^\[|\]$/g, '');
    const san = isIP(h) ? `IP:${h}` : `DNS:${h}`;
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '90', '-subj', `/CN=${h}`, '-addext', `subjectAltName=${san}`]);
    return { cert: await readFile(join(dir, 'cert.pem'), 'utf8'), key: await readFile(join(dir, 'key.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
