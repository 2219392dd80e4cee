/**
 * A minimal QMP (QEMU Machine Protocol) client over the machine's unix socket: the lab
 * needs the `SHUTDOWN` event's reason (`guest-shutdown`: the OS powered off;
 * `guest-reset`: it rebooted, which ends the process under `-no-reboot`) and `quit`.
 * The socket appears shortly after QEMU starts: `connect` retries until it does.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface QmpEvent { event: string; data?: Record<string, unknown> }

export class Qmp {
  /** The reason of the last SHUTDOWN event (`guest-shutdown`, `guest-reset`, `host-qmp-quit`...), or null. */
  shutdownReason: string | null = null;
  private buf = '';
  private pending: Array<(r: Record<string, unknown>) => void> = [];

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        if (line) this.onMessage(line);
      }
    });
    sock.on('error', () => { /* QEMU went away: the process exit tells the rest */ });
  }

  /** Connects (retrying while the socket is not there yet) and leaves capabilities negotiation mode. */
  static async connect(path: string, timeoutMs: number, alive: () => boolean = () => true): Promise<Qmp> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<Socket>((ok, fail) => {
          const s = connect(path, () => { s.off('error', fail); ok(s); });
          s.once('error', fail);
        });
        const qmp = new Qmp(sock);
        await qmp.execute('qmp_capabilities');
        return qmp;
      } catch (err) {
        if (!alive() || Date.now() > deadline) throw new Error(`no QMP socket at ${path}: ${(err as Error).message}`);
        await sleep(100);
      }
    }
  }

  /** Sends a command; resolves with its `return` (rejects on `error` or a closed socket). */
  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    return new Promise((ok, fail) => {
      if (this.sock.destroyed) { fail(new Error('QMP socket closed')); return; }
      const onClose = () => fail(new Error('QMP socket closed'));
      this.sock.once('close', onClose);
      this.pending.push((r) => {
        this.sock.off('close', onClose);
        if (r.error) fail(new Error(`QMP ${command}: ${JSON.stringify(r.error)}`));
        else ok(r.return);
      });
      this.sock.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    });
  }

  close(): void { this.sock.destroy(); }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try { msg = JSON.parse(line) as Record<string, unknown>; } catch { return; }
    if (typeof msg.event === 'string') {
      const e = msg as unknown as QmpEvent;
      if (e.event === 'SHUTDOWN') this.shutdownReason = typeof e.data?.reason === 'string' ? e.data.reason : 'unknown';
      return;
    }
    if ('return' in msg || 'error' in msg) this.pending.shift()?.(msg);
  }
}
