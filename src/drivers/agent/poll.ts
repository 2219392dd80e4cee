/**
 * Waiting for something the agent or the BMC finishes soon (a command, a power off), with
 * Ironic's budget but without its fixed first wait.
 *
 * Ironic polls every `interval` seconds, `attempts` times (command_wait_interval ×
 * command_wait_attempts, post_deploy_get_power_state_retry_interval × retries): a command
 * that ends 50 ms after the first look is seen `interval` seconds later (6 s for
 * install_bootloader, 5 s for the power off after a deploy: fixed waits that made most
 * of a lab deploy's time after the image was written). Here the looks come 0.1 s, 0.2 s,
 * 0.4 s … after the previous one, doubling up to `interval`, and the wait gives up when
 * Ironic's would. The conductor sends a few more cheap requests in the first second;
 * nothing else changes on the wire.
 */

export const FIRST_POLL_DELAY_MS = 100;

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) { reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')); return; }
  const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
  const onAbort = () => { clearTimeout(t); reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted')); };
  signal?.addEventListener('abort', onAbort, { once: true });
});

/**
 * Ironic's loop of `looks` looks `intervalMs` apart, looking sooner: calls `look` until it
 * returns a value other than `undefined` and returns it, or `undefined` once Ironic's loop
 * would have ended: `(looks - 1) × intervalMs` spent waiting and at least `looks` looks
 * (with interval 0: `looks` looks back to back, as Ironic). Errors of `look` propagate;
 * the abort signal ends a wait with its reason.
 */
export async function pollSoon<T>(look: () => Promise<T | undefined>, o: { intervalMs: number; looks: number; signal?: AbortSignal }): Promise<T | undefined> {
  const interval = Math.max(0, o.intervalMs);
  const budget = Math.max(0, o.looks - 1) * interval;
  let waited = 0;
  let looked = 0;
  let delay = Math.min(FIRST_POLL_DELAY_MS, interval);
  for (;;) {
    const v = await look();
    looked++;
    if (v !== undefined) return v;
    if (waited >= budget && looked >= o.looks) return undefined;
    const d = Math.min(delay, interval, Math.max(0, budget - waited));
    await sleep(d, o.signal);
    waited += d;
    delay *= 2;
  }
}
