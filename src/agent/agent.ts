/**
 * `ingot agent`: the deploy agent, speaking IPA 9.4.3's protocol on both channels.
 * Start order: serve the command API (so the callback URL's port is known), post the
 * inspection data when booted for inspection (inspection.ts), look the machine up by its
 * MACs until Ironic answers (IPA's lookup loop), keep the token, heartbeat for the rest of
 * the session, run the conductor's commands. Booted for inspection without an API URL,
 * it posts and then only serves (the inspector powers the machine off).
 */
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { CommandExecutor } from './commands/executor.ts';
import type { AgentContext } from './commands/context.ts';
import { standbyExtension } from './commands/standby.ts';
import { stepExtensions } from './commands/steps.ts';
import { imageExtension } from './commands/bootloader.ts';
import { logExtension } from './commands/logs.ts';
import { rescueExtension } from './commands/rescue.ts';
import { buildAgentServer, type TokenState } from './server.ts';
import { IronicClient, type LookupResult } from './ironic-client.ts';
import { Heartbeater } from './heartbeater.ts';
import { selfSignedCertificate, type SelfSigned } from './tls.ts';
import { apiUrlsFromCmdline, parseKernelCmdline } from './cmdline.ts';
import { inspectionParams, runInspection } from './inspection.ts';
import { DEFAULT_DOWNLOAD_OPTIONS, type DownloadOptions } from './disk/download.ts';
import type { Machine } from './hardware/types.ts';

/** The IPA release whose protocol this agent implements; reported as agent_version. */
export const AGENT_VERSION = '9.4.3';

export interface AgentOptions {
  machine: Machine;
  /** Ironic API URLs; empty → `ipa-api-url` from the kernel command line. */
  apiUrls?: string[];
  host?: string;
  /** 9999 by default; 0 picks a free port. */
  port?: number;
  /**
   * Host put in the callback URL. Default: ipa-advertise-host, else the bind host, else
   * (bound to 0.0.0.0/::) the machine's address towards the API (IPA's route lookup; none in
   * the lab), else 127.0.0.1.
   */
  advertiseHost?: string;
  /**
   * IPA's auto-TLS (enable_auto_tls): when the API is at least 1.68, serve HTTPS with a
   * self-signed certificate and send it as agent_verify_ca. Off by default (the recorded
   * Ironic 21.4 exchange is plain HTTP).
   */
  autoTls?: boolean;
  /** IPA's lookup_timeout (s, default 600) and lookup_interval (s, default 1, doubled up to 30). */
  lookupTimeout?: number;
  lookupInterval?: number;
  /** IPA's 5 s minimum between heartbeats (tests shorten it). */
  heartbeatMinGap?: number;
  download?: Partial<DownloadOptions>;
  tmpDir?: string;
  log?: (msg: string) => void;
  /**
   * ironic-inspector's callback (`ipa-inspection-callback-url`; this option wins over the
   * kernel command line). When set, the agent posts its inspection data there before lookup.
   */
  inspectionCallbackUrl?: string;
  /** First wait between inspection post attempts (s; IPA 5). */
  inspectionRetryWait?: number;
  /** Called when the agent stops after power_off / run_image / finalize_rescue. */
  onShutdown?: (reason: string) => void;
}

export interface RunningAgent {
  url: string;
  /** The PEM of the auto-TLS certificate, or null (plain HTTP). */
  certificate: string | null;
  server: FastifyInstance;
  executor: CommandExecutor;
  ctx: AgentContext;
  /**
   * Resolves once lookup succeeded (rejects when it timed out). Never settles when lookup
   * is skipped: inspection only, no API URL (IPA: "Heartbeat and lookup skipped for inspector").
   */
  ready: Promise<LookupResult>;
  /** The inspection's outcome (null: the agent was not booted for inspection). Settles before lookup starts. */
  inspection: Promise<{ uuid: string | null; answer: Record<string, unknown> | null; error: string | null } | null>;
  heartbeater: () => Heartbeater | null;
  close(): Promise<void>;
}

function bracket(host: string): string { return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host; }

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const logLines: string[] = [];
  const log = (msg: string) => {
    const line = `${new Date().toISOString()} ${msg}`;
    logLines.push(line);
    if (logLines.length > 5000) logLines.shift();
    (o.log ?? ((m: string) => process.stderr.write(`ingot agent: ${m}\n`)))(msg);
  };
  const cmdline = await o.machine.kernelCmdline();
  const kparams = parseKernelCmdline(cmdline);
  const apiUrls = o.apiUrls?.length ? o.apiUrls : apiUrlsFromCmdline(cmdline);
  const inspect = inspectionParams(kparams, o.inspectionCallbackUrl);
  // IPA runs inspection-only when booted with a callback and no API URL.
  const client = apiUrls.length || !inspect ? new IronicClient(apiUrls) : null;
  const tokens: TokenState = { token: kparams['ipa-agent-token'] || null, required: true };

  let heartbeater: Heartbeater | null = null;
  let closed = false;
  let server: FastifyInstance | null = null;
  const close = async () => {
    if (closed) return;
    closed = true;
    await heartbeater?.stop();
    await server?.close();
    await client?.close();
  };
  const ctx: AgentContext = {
    machine: o.machine, node: null, config: {}, partitionUuids: null,
    download: { ...DEFAULT_DOWNLOAD_OPTIONS, ...o.download },
    tmpDir: o.tmpDir ?? tmpdir(), log,
    shutdown: (reason) => {
      log(`agent stopping: ${reason}`);
      // Let the conductor read the answer first, then stop serving and heartbeating.
      setTimeout(() => { void close().then(() => o.onShutdown?.(reason)); }, 500).unref();
    },
  };
  const executor = new CommandExecutor({
    ...stepExtensions(ctx),
    standby: standbyExtension(ctx),
    image: imageExtension(ctx),
    log: logExtension(ctx, () => logLines.join('\n') + '\n'),
    rescue: rescueExtension(ctx),
  }, () => heartbeater?.force(), log);

  const startedAt = Date.now() / 1000;
  const host = o.host ?? '0.0.0.0';
  const wildcard = host === '0.0.0.0' || host === '::';
  const apiHost = new URL(apiUrls[0] ?? inspect!.callbackUrl).hostname.replace(/^\[|\]$/g, '');
  const adv = o.advertiseHost ?? kparams['ipa-advertise-host'] ??
    (wildcard ? (await o.machine.routeSource(apiHost)) ?? '127.0.0.1' : host);
  let tls: SelfSigned | null = null;
  if (o.autoTls && client) {
    const v = await client.apiVersion();
    if (v[0] > 1 || v[1] >= 68) tls = await selfSignedCertificate(adv, ctx.tmpDir);
    else log(`auto-TLS off: the API's version ${v.join('.')} is below 1.68 (agent_verify_ca)`);
  }
  server = await buildAgentServer({ executor, tokens, status: () => ({ started_at: startedAt, version: AGENT_VERSION }), log, tls });
  await server.listen({ host, port: o.port ?? 9999 });
  const port = (server.server.address() as { port: number }).port;
  const url = `${tls ? 'https' : 'http'}://${bracket(adv)}:${port}`;
  log(`command API listening on ${host}:${port}, advertised as ${url}`);

  // IPA: inspection comes first (lookup would not find an unknown machine), its answer's uuid feeds lookup.
  const inspection = inspect
    ? runInspection({ machine: o.machine, params: inspect, tmpDir: ctx.tmpDir, agentLog: () => logLines.join('\n') + '\n', log, retryWaitS: o.inspectionRetryWait })
    : Promise.resolve(null);
  const ready = (async () => {
    const inspected = await inspection;
    if (!client) {
      log('No ipa-api-url configured, Heartbeat and lookup skipped for inspector.');
      return new Promise<never>(() => {});
    }
    const nodeUuid = kparams['ipa-node-uuid'] ?? inspected?.uuid ?? null;
    const macs = await o.machine.macs();
    const deadline = Date.now() + (o.lookupTimeout ?? 600) * 1000;
    let interval = o.lookupInterval ?? 1;
    for (;;) {
      if (closed) throw new Error('agent closed before lookup succeeded');
      try {
        const res = await client.lookup(macs, nodeUuid);
        const t = res.config.agent_token;
        if (typeof t === 'string' && t.length >= 32) tokens.token = t;
        else if (t === '******' && !tokens.token) log('lookup returned a masked agent token and none was given on the kernel command line: the conductor cannot control this agent');
        tokens.required = res.config.agent_token_required !== false;
        ctx.node = res.node;
        ctx.config = res.config;
        if (res.config.agent_md5_checksum_enable === false) ctx.download.md5Allowed = false;
        log(`lookup: this machine is node ${res.node.uuid}`);
        heartbeater = new Heartbeater({
          client, uuid: res.node.uuid, callbackUrl: url, token: () => tokens.token, agentVersion: AGENT_VERSION, verifyCa: tls?.cert ?? null,
          heartbeatTimeout: Number(res.config.heartbeat_timeout ?? 300), minGap: o.heartbeatMinGap ?? 5, log,
        });
        heartbeater.start();
        return res;
      } catch (err) {
        if (Date.now() + interval * 1000 > deadline) throw new Error(`lookup did not succeed within ${o.lookupTimeout ?? 600}s: ${(err as Error).message}`);
        log(`${(err as Error).message}; retrying in ${interval}s`);
        await sleep(interval * 1000);
        interval = Math.min(interval * 2, 30);
      }
    }
  })();
  ready.catch(() => {});
  return { url, certificate: tls?.cert ?? null, server, executor, ctx, ready, inspection, heartbeater: () => heartbeater, close };
}
