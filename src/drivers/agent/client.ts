/**
 * The conductor's HTTP client of an agent's command API (Ironic's AgentClient), as
 * recorded in recorded-direct-deploy:
 * - `POST {agent_url}/v1/commands/?wait=<true|false>&agent_token=<token>` with body
 *   `{"name": "<extension>.<command>", "params": {...}}`; the token only in the query;
 * - `GET {agent_url}/v1/commands/` (no token) for the command list.
 *
 * Timeouts and retries as Ironic's `[agent]` options: every request is bounded by
 * command_timeout; connection errors are retried max_command_attempts times, and a POST
 * whose answer got lost counts as sent when the agent's last command is that one and
 * still RUNNING; "poll" mode lists commands every command_wait_interval, at most
 * command_wait_attempts times. Every failure is a DriverError with Ironic's message.
 */
import { DriverError } from '../../core/errors.ts';
import type { Json, Node } from '../../core/node.ts';
import type { AgentConfig } from '../../core/agent-config.ts';
import { agentRequest, type HttpAnswer } from './http.ts';
import { pollSoon } from './poll.ts';

/** One command result as the agent serialises it. */
export interface CommandResult {
  id?: string;
  command_name: string;
  command_status: string;
  command_error: Json | string | null;
  command_result: Json | null;
  [k: string]: unknown;
}

export type ClientOptions = Pick<AgentConfig, 'commandTimeout' | 'maxCommandAttempts' | 'commandWaitInterval' | 'commandWaitAttempts'>;

/** The error text of a command result (Ironic's get_command_error). */
export function commandError(cmd: Partial<CommandResult>): string {
  const e = cmd.command_error;
  if (e === undefined || e === null) return 'Invalid agent response';
  if (typeof e === 'object' && !Array.isArray(e)) {
    const o = e as Json;
    return String(o.details || o.message || JSON.stringify(o));
  }
  return String(e);
}

class ConnectionFailed extends DriverError {
  constructor(message: string) { super(`Connection to agent failed: ${message}`, { reason: 'agent_connection', retryable: true }); }
}

export class AgentClient {
  constructor(private readonly opts: ClientOptions, private readonly signal?: AbortSignal) {}

  private commandUrl(node: Readonly<Node>): string {
    const url = node.driver_internal_info.agent_url;
    if (typeof url !== 'string' || !url) {
      throw new DriverError(`Node ${node.uuid}: the agent's URL is not known yet (no heartbeat recorded in driver_internal_info.agent_url); the agent must heartbeat before the conductor can command it.`, { reason: 'agent_connection' });
    }
    return `${url}/v1/commands/`;
  }

  private send(node: Readonly<Node>, method: string, url: string, body?: string): Promise<HttpAnswer> {
    return agentRequest(node, url, { method, ...(body === undefined ? {} : { body }), timeoutMs: this.opts.commandTimeout * 1000, ...(this.signal ? { signal: this.signal } : {}) });
  }

  /**
   * Send a command. `wait`: the agent answers when it is done (bounded by command_timeout);
   * `poll`: send without waiting, then poll the command list until it is done.
   */
  async command(node: Readonly<Node>, method: string, params: Json, opts: { wait?: boolean; poll?: boolean } = {}): Promise<CommandResult> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.opts.maxCommandAttempts; attempt++) {
      try {
        return await this.commandOnce(node, method, params, opts);
      } catch (err) {
        if (!(err instanceof ConnectionFailed)) throw err;
        last = err;
      }
    }
    throw last;
  }

  private async commandOnce(node: Readonly<Node>, method: string, params: Json, opts: { wait?: boolean; poll?: boolean }): Promise<CommandResult> {
    const query = new URLSearchParams({ wait: String(opts.wait === true) });
    const token = node.driver_internal_info.agent_secret_token;
    if (typeof token === 'string' && token) query.set('agent_token', token);
    const url = `${this.commandUrl(node)}?${query.toString()}`;
    const body = JSON.stringify({ name: method, params });
    let res: HttpAnswer;
    try {
      res = await this.send(node, 'POST', url, body);
    } catch (err) {
      if (this.signal?.aborted) throw err;
      return this.afterLostAnswer(node, method, err);
    }
    const text = res.text;
    let result: CommandResult;
    try {
      result = JSON.parse(text) as CommandResult;
    } catch {
      throw new DriverError(`Unable to decode response as JSON.\nRequest URL: ${url.replace(/agent_token=[^&]*/, 'agent_token=***')}\nRequest body: "${method}"\nResponse status code: ${res.status}\nResponse: "${text.slice(0, 500)}"`, { reason: 'agent_api' });
    }
    if (res.status >= 400) {
      const fault = String((result as { faultstring?: unknown }).faultstring ?? text);
      if (res.status === 409 || fault.toLowerCase().includes('agent is busy')) {
        throw new DriverError(`Node ${node.uuid} command "${method}" failed. Agent is presently executing a command. Error ${fault}`, { reason: 'agent_busy', retryable: true });
      }
      throw new DriverError(`Agent API for node ${node.uuid} returned HTTP status code ${res.status} with error: ${fault}`, { reason: 'agent_api' });
    }
    this.raiseIfTypeError(node, method, result);
    return opts.poll ? this.waitForCommand(node, method) : result;
  }

  /** The POST failed on the wire: maybe the agent got it anyway (Ironic's _handle_timeout_on_command_execution). */
  private async afterLostAnswer(node: Readonly<Node>, method: string, error: unknown): Promise<CommandResult> {
    let running: CommandResult | undefined;
    try {
      const cmds = await this.commandsStatus(node, { retry: false });
      const lastCmd = cmds.at(-1);
      const short = method.split('.').slice(1).join('.') || method;
      if (lastCmd && lastCmd.command_name === short && lastCmd.command_status === 'RUNNING') running = lastCmd;
    } catch { /* reported below */ }
    if (running) return running;
    throw new ConnectionFailed(`Failed to connect to the agent running on node ${node.uuid} for invoking command ${method}. Error: ${describe(error)}`);
  }

  private raiseIfTypeError(node: Readonly<Node>, method: string, result: CommandResult): void {
    const e = result.command_error;
    if (e && typeof e === 'object' && (e as Json).type === 'TypeError') {
      throw new DriverError(`Agent API for node ${node.uuid} returned HTTP status code 400 with error: ${commandError(result)} (command ${method} got parameters it does not accept)`, { reason: 'agent_api' });
    }
  }

  /** GET /v1/commands/: every command of this ramdisk session, oldest first. */
  async commandsStatus(node: Readonly<Node>, opts: { retry?: boolean } = {}): Promise<CommandResult[]> {
    const attempts = opts.retry === false ? 1 : this.opts.maxCommandAttempts;
    let last: unknown;
    const url = this.commandUrl(node);
    for (let i = 0; i < attempts; i++) {
      let res: HttpAnswer;
      try {
        res = await this.send(node, 'GET', url);
      } catch (err) {
        if (this.signal?.aborted) throw err;
        last = new ConnectionFailed(`Failed to connect to the agent running on node ${node.uuid} to collect commands status. Error: ${describe(err)}`);
        continue;
      }
      const text = res.text;
      let parsed: { commands?: unknown };
      try { parsed = JSON.parse(text) as { commands?: unknown }; } catch { parsed = {}; }
      if (res.status >= 400 || !Array.isArray(parsed.commands)) {
        throw new DriverError(`Agent API for node ${node.uuid} returned HTTP status code ${res.status} with an invalid command list: ${text.slice(0, 300)}`, { reason: 'agent_api' });
      }
      return parsed.commands as CommandResult[];
    }
    throw last;
  }

  /**
   * Poll the command list until the last `method` command is no longer RUNNING (Ironic's
   * _wait_for_command), within Ironic's budget but looking soon first (poll.ts).
   */
  private async waitForCommand(node: Readonly<Node>, method: string): Promise<CommandResult> {
    const short = method.split('.').slice(1).join('.') || method;
    const found = await pollSoon(async () => {
      const cmds = await this.commandsStatus(node);
      const last = [...cmds].reverse().find((c) => c.command_name === short);
      return last && last.command_status !== 'RUNNING' ? last : undefined;
    }, { intervalMs: this.opts.commandWaitInterval * 1000, looks: this.opts.commandWaitAttempts, ...(this.signal ? { signal: this.signal } : {}) });
    if (found) {
      this.raiseIfTypeError(node, method, found);
      return found;
    }
    throw new DriverError(`Timeout executing command ${method} on node ${node.uuid}: the agent did not finish it within ${this.opts.commandWaitAttempts} × ${this.opts.commandWaitInterval} s ([agent] command_wait_attempts × command_wait_interval).`, { reason: 'agent_timeout' });
  }

  // --- the commands Ironic's conductor sends -------------------------------------------
  getSteps(node: Readonly<Node>, phase: 'clean' | 'deploy', nodeDict: Json, ports: Json[]): Promise<CommandResult> {
    return this.command(node, `${phase}.get_${phase}_steps`, { node: nodeDict, ports }, { wait: true });
  }

  executeStep(node: Readonly<Node>, phase: 'clean' | 'deploy', step: Json, nodeDict: Json, ports: Json[]): Promise<CommandResult> {
    return this.command(node, `${phase}.execute_${phase}_step`, {
      step, node: nodeDict, ports, [`${phase}_version`]: node.driver_internal_info.hardware_manager_version ?? null,
    });
  }

  getPartitionUuids(node: Readonly<Node>): Promise<CommandResult> { return this.command(node, 'standby.get_partition_uuids', {}, { wait: true }); }
  sync(node: Readonly<Node>): Promise<CommandResult> { return this.command(node, 'standby.sync', {}, { wait: true }); }
  powerOff(node: Readonly<Node>): Promise<CommandResult> { return this.command(node, 'standby.power_off', {}); }
  reboot(node: Readonly<Node>): Promise<CommandResult> { return this.command(node, 'standby.run_image', {}); }
  collectSystemLogs(node: Readonly<Node>): Promise<CommandResult> { return this.command(node, 'log.collect_system_logs', {}, { wait: true }); }
  finalizeRescue(node: Readonly<Node>, hashedPassword: string): Promise<CommandResult> {
    return this.command(node, 'rescue.finalize_rescue', { rescue_password: hashedPassword, hashed: true });
  }
  installBootloader(node: Readonly<Node>, params: Json): Promise<CommandResult> {
    return this.command(node, 'image.install_bootloader', params, { poll: true });
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    if (err.name === 'TimeoutError') return `the agent did not answer within the command timeout ([agent] command_timeout)`;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
