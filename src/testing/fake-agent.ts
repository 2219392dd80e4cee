/**
 * A small, honest stand-in for ironic-python-agent at the process boundary, for tests of
 * the conductor's agent flows. It does what IPA 9.4.3 does on the wire
 * (agent-samples/recorded-direct-deploy): `GET /` for the API version, lookup with 1.62,
 * heartbeats with 1.68 (`callback_url`, `agent_token`, `agent_version`), a command API
 * that checks the token in the query, runs one command at a time, answers asynchronous
 * commands with RUNNING and heartbeats early when they end.
 *
 * Its commands do real work on a small scale: `write_image` downloads `urls[0]`, checks
 * `os_hash_algo`/`os_hash_value` (or `checksum`) and writes the bytes into `diskPath`;
 * `erase_devices_metadata` zeroes the first MiB and `erase_devices` the whole file.
 * Every request the conductor sends is kept in `requests` for the tests to compare.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { openSync, closeSync, fstatSync, writeSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

type J = Record<string, any>;
export interface AgentRequest { method: string; path: string; body: J | null }
export interface FakeAgentOptions {
  apiUrl: string;
  macs: string[];
  /** The file standing for the machine's disk. */
  diskPath: string;
  /** The deploy steps `get_deploy_steps` reports (IPA's answer as recorded). */
  deploySteps?: J;
  cleanSteps?: J;
  hardwareManagerVersion?: J;
  /** Never finish write_image (a hung agent). */
  hangWriteImage?: boolean;
}

const GENERIC_CLEAN_STEPS = {
  GenericHardwareManager: [
    { step: 'erase_devices', priority: 10, interface: 'deploy', reboot_requested: false, abortable: true },
    { step: 'erase_devices_metadata', priority: 99, interface: 'deploy', reboot_requested: false, abortable: true },
    { step: 'erase_pstore', priority: 0, interface: 'deploy', reboot_requested: false, abortable: true },
  ],
};

export class FakeAgent {
  readonly requests: AgentRequest[] = [];
  readonly heartbeats: { status: number; body: J }[] = [];
  commands: J[] = [];
  token: string | null = null;
  node: J | null = null;
  rescuePassword: string | null = null;
  /** Parameters of the last install_bootloader (UEFI whole-disk deploys). */
  bootloader: J | null = null;
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private heartbeatTimeout = 300;
  private apiVersion = '1.1';
  private stopped = false;
  callbackUrl = '';

  constructor(private readonly opts: FakeAgentOptions) {}

  private async api(method: string, path: string, version: string | null, body?: J): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (version) headers['X-OpenStack-Ironic-API-Version'] = version;
    const r = await fetch(`${this.opts.apiUrl}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }

  /** Boot: discover the API version, look up until found, serve the command API, heartbeat. */
  async start(): Promise<void> {
    const root = await this.api('GET', '/', null);
    const max = String(root.body.default_version.version);
    const minV = (a: string, b: string) => (Number(a.split('.')[1]) < Number(b.split('.')[1]) ? a : b);
    this.apiVersion = max;
    const query = `addresses=${this.opts.macs.map(encodeURIComponent).join(',')}`;
    for (let i = 0; ; i++) {
      const r = await this.api('GET', `/v1/lookup?${query}`, minV(max, '1.62'));
      if (r.status === 200) {
        this.node = r.body.node;
        const cfg = r.body.config;
        this.heartbeatTimeout = cfg.heartbeat_timeout;
        if (typeof cfg.agent_token === 'string' && cfg.agent_token.length >= 32) this.token = cfg.agent_token;
        break;
      }
      if (i > 200) throw new Error(`lookup kept failing: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    this.server = createServer((req, res) => { void this.serve(req, res); });
    await new Promise<void>((res) => this.server!.listen(0, '127.0.0.1', () => res()));
    this.callbackUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    await this.heartbeat();
    this.schedule();
  }

  async heartbeat(): Promise<void> {
    if (this.stopped || !this.node) return;
    const v = Number(this.apiVersion.split('.')[1]) < 68 ? this.apiVersion : '1.68';
    const body = { agent_token: this.token, agent_version: '9.4.3', callback_url: this.callbackUrl };
    const r = await this.api('POST', `/v1/heartbeat/${this.node.uuid}`, v, body);
    this.heartbeats.push({ status: r.status, body });
  }

  /** IPA's rhythm: every 0.3–0.6 × heartbeat_timeout. */
  private schedule(): void {
    if (this.stopped) return;
    const ms = this.heartbeatTimeout * 1000 * (0.3 + Math.random() * 0.3);
    this.timer = setTimeout(() => { void this.heartbeat().catch(() => undefined).finally(() => this.schedule()); }, ms);
  }

  /** The machine goes silent (powered off, crashed): no more heartbeats. */
  stopHeartbeats(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async stop(): Promise<void> {
    this.stopHeartbeats();
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
    this.server?.closeAllConnections?.();
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) as J : null;
    this.requests.push({ method: req.method!, path: req.url!, body });
    const url = new URL(req.url!, 'http://agent');
    if (!/^\/(v1\/)?commands\/?$/.test(url.pathname)) return this.send(res, 404, { faultcode: 'Client', faultstring: 'Not found' });
    if (req.method === 'GET') return this.send(res, 200, { commands: this.commands });
    if (url.searchParams.get('agent_token') !== this.token || !this.token) return this.send(res, 401, { faultcode: 'Client', faultstring: 'Token invalid.' });
    if (!body || typeof body.name !== 'string' || typeof body.params !== 'object') return this.send(res, 400, { faultcode: 'Client', faultstring: 'Missing or invalid name or params' });
    if (this.commands.some((c) => c.command_status === 'RUNNING')) return this.send(res, 409, { faultcode: 'Client', faultstring: 'Agent is busy' });
    const [, name] = String(body.name).split('.');
    const cmd: J = { id: randomUUID(), command_name: name, command_status: 'RUNNING', command_error: null, command_result: null };
    this.commands.push(cmd);
    const run = this.run(String(body.name), body.params as J).then((result) => {
      cmd.command_status = 'SUCCEEDED';
      cmd.command_result = result;
    }, (err: J) => {
      cmd.command_status = 'FAILED';
      cmd.command_error = err.type ? err : { type: 'CommandExecutionError', code: 500, message: 'Command execution failed', details: String(err?.message ?? err) };
    });
    const asyncCmd = ['execute_deploy_step', 'execute_clean_step', 'power_off', 'run_image', 'install_bootloader'].includes(name ?? '');
    if (!asyncCmd || url.searchParams.get('wait') === 'true') await run;
    else void run.then(() => (name === 'power_off' || name === 'run_image' ? this.stopHeartbeats() : this.heartbeat().catch(() => undefined)));
    this.send(res, 200, cmd);
  }

  private async run(name: string, params: J): Promise<unknown> {
    const versions = this.opts.hardwareManagerVersion ?? { generic_hardware_manager: '1.1' };
    switch (name) {
      case 'deploy.get_deploy_steps':
        return { deploy_steps: this.opts.deploySteps ?? { GenericHardwareManager: [] }, hardware_manager_version: versions };
      case 'clean.get_clean_steps':
        return { clean_steps: this.opts.cleanSteps ?? GENERIC_CLEAN_STEPS, hardware_manager_version: versions };
      case 'deploy.execute_deploy_step':
      case 'clean.execute_clean_step': {
        const phase = name.startsWith('deploy') ? 'deploy' : 'clean';
        const step = params.step as J;
        const result = await this.step(step);
        return { [`${phase}_result`]: result, [`${phase}_step`]: step };
      }
      case 'standby.get_partition_uuids': return { 'root uuid': '0x782f6450' };
      case 'standby.sync': return null;
      case 'standby.power_off': case 'standby.run_image': return null;
      case 'image.install_bootloader':
        this.bootloader = params;
        return null;
      case 'log.collect_system_logs': return { system_logs: Buffer.from('fake agent logs').toString('base64') };
      case 'rescue.finalize_rescue':
        this.rescuePassword = String(params.rescue_password);
        this.stopHeartbeats();
        return null;
      default: throw { type: 'InvalidCommandError', code: 400, message: `Unknown command: ${name}`, details: `Unknown command: ${name}` };
    }
  }

  private async step(step: J): Promise<unknown> {
    const disk = this.opts.diskPath;
    switch (step.step) {
      case 'write_image': {
        if (this.opts.hangWriteImage) return new Promise(() => undefined);
        const info = step.args.image_info as J;
        const res = await fetch(String(info.urls[0]));
        const bytes = Buffer.from(await res.arrayBuffer());
        const algo = info.os_hash_algo ?? ({ 32: 'md5', 64: 'sha256', 128: 'sha512' } as J)[String(info.checksum ?? '').length];
        const want = String(info.os_hash_value ?? info.checksum);
        const got = createHash(algo).update(bytes).digest('hex');
        if (got !== want) {
          throw { type: 'ImageChecksumError', code: 500, message: 'Error verifying image checksum',
            details: `Image failed to verify against checksum. location: ${info.id}; image ID: ${disk}; image checksum: ${want}; verification checksum: ${got}` };
        }
        writeFileSync(disk, bytes);
        return { result: `prepare_image: image (${info.id}) written to device ${disk} root_uuid=0x782f6450` };
      }
      case 'erase_devices_metadata':
      case 'erase_devices': {
        const fd = openSync(disk, 'r+');
        try {
          const size = fstatSync(fd).size;
          const n = step.step === 'erase_devices' ? size : Math.min(size, 1 << 20);
          writeSync(fd, Buffer.alloc(n), 0, n, 0);
        } finally { closeSync(fd); }
        return null;
      }
      default:
        throw { type: 'InvalidCommandParamsError', code: 400, message: 'Invalid command parameters', details: `Unknown step ${step.step}` };
    }
  }
}
