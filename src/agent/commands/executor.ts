/**
 * Runs agent commands the way IPA's ExecuteCommandMixin does: one command at a time,
 * every result kept for the ramdisk session (oldest first), synchronous commands done
 * when the POST answers, asynchronous ones RUNNING until their work ends.
 *
 * Contract (what the conductor relies on):
 * - `command_name` is the part after the dot; results serialise as
 *   `{id, command_name, command_status, command_error, command_result}`.
 * - A string result is wrapped: `{result: text}` (sync) or `{result: "<name>: text"}` (async).
 * - Errors raised while *accepting* a command are HTTP errors (400 bad name / params,
 *   404 unknown extension, 409 busy); any other failure is a FAILED result (HTTP 200).
 * - A VersionMismatch during an async command gives status CLEAN_VERSION_MISMATCH.
 */
import { randomUUID } from 'node:crypto';
import { AgentError, agentBusy, asAgentError, invalidCommand, notFound } from '../errors.ts';

export type CommandStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CLEAN_VERSION_MISMATCH';
export type Params = Record<string, unknown>;

export interface CommandDef {
  mode: 'sync' | 'async';
  /** Throws an AgentError with code 400 for parameters IPA refuses before running. */
  validate?: (params: Params) => void;
  run: (params: Params) => Promise<unknown>;
}

/** Extension name → command name → definition (`standby` → `prepare_image`). */
export type Extensions = Record<string, Record<string, CommandDef>>;

export interface CommandResultJson {
  id: string;
  command_name: string;
  command_status: CommandStatus;
  command_error: ReturnType<AgentError['toJSON']> | null;
  command_result: unknown;
}

export class CommandResult {
  readonly id = randomUUID();
  status: CommandStatus = 'RUNNING';
  error: AgentError | null = null;
  result: unknown = null;
  /** Settles when the command is no longer RUNNING (never rejects). */
  readonly done: Promise<void>;
  private finish!: () => void;

  constructor(readonly name: string) {
    this.done = new Promise((resolve) => { this.finish = resolve; });
  }

  succeed(result: unknown, prefix: string | null): void {
    this.result = typeof result === 'string' ? { result: prefix === null ? result : `${prefix}: ${result}` } : (result ?? null);
    this.status = 'SUCCEEDED';
    this.finish();
  }

  fail(err: unknown): void {
    const e = asAgentError(err);
    this.error = e;
    this.result = null;
    this.status = e.type === 'VersionMismatch' ? 'CLEAN_VERSION_MISMATCH' : 'FAILED';
    this.finish();
  }

  toJSON(): CommandResultJson {
    return {
      id: this.id,
      command_name: this.name,
      command_status: this.status,
      command_error: this.error ? this.error.toJSON() : null,
      command_result: this.result,
    };
  }
}

export class CommandExecutor {
  private readonly results = new Map<string, CommandResult>();
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param onAsyncDone called when an asynchronous command ends (IPA forces a heartbeat then).
   * @param log where failures are reported.
   */
  constructor(
    private readonly extensions: Extensions,
    private readonly onAsyncDone: () => void = () => {},
    private readonly log: (msg: string) => void = () => {},
  ) {}

  list(): CommandResult[] { return [...this.results.values()]; }

  get(id: string): CommandResult {
    const r = this.results.get(id);
    if (!r) throw notFound('Command Result', id);
    return r;
  }

  /** True when the last command is still RUNNING. */
  busy(): boolean {
    const last = this.list().at(-1);
    return last !== undefined && last.status === 'RUNNING';
  }

  /** Accepts and starts a command; serialised like IPA's command lock. */
  execute(fullName: string, params: Params): Promise<CommandResult> {
    const run = this.queue.then(() => this.executeLocked(fullName, params));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async executeLocked(fullName: string, params: Params): Promise<CommandResult> {
    const dot = fullName.indexOf('.');
    if (dot < 0) throw invalidCommand('Command name must be of the form <extension>.<name>');
    const extName = fullName.slice(0, dot);
    const cmdName = fullName.slice(dot + 1);
    const last = this.list().at(-1);
    if (last && last.status === 'RUNNING') throw agentBusy(last.name);
    const ext = this.extensions[extName];
    if (!ext) throw notFound('Extension', extName);
    const def = Object.hasOwn(ext, cmdName) ? ext[cmdName] : undefined;
    if (!def) throw invalidCommand(`Unknown command: ${cmdName}`);

    const result = new CommandResult(cmdName);
    try {
      def.validate?.(params);
    } catch (err) {
      if (err instanceof AgentError && err.code === 400) throw err;
      result.fail(err);
      this.results.set(result.id, result);
      return result;
    }
    this.results.set(result.id, result);
    if (def.mode === 'sync') {
      try {
        result.succeed(await def.run(params), null);
      } catch (err) {
        this.log(`command ${fullName} failed: ${asAgentError(err).message}`);
        result.fail(err);
      }
      return result;
    }
    // Started on the next turn of the event loop, so the POST answers RUNNING as IPA's does.
    void new Promise<void>((r) => setImmediate(r)).then(() => def.run(params)).then(
      (value) => result.succeed(value, cmdName),
      (err) => { this.log(`command ${fullName} failed: ${asAgentError(err).message}`); result.fail(err); },
    ).finally(() => this.onAsyncDone());
    return result;
  }
}
