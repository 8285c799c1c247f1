// A probe's own deadline, combined with the caller's stop signal.

export interface Deadline {
  signal: AbortSignal;
  /** Why the signal fired: our timeout or the caller stopping. */
  reason(): 'timeout' | 'stopped';
  /** Runs `callback` once when the deadline passes or the caller stops, at once if that already happened. */
  onExpire(callback: () => void): void;
  dispose(): void;
}

export function deadlineFor(timeoutMs: number, stop: AbortSignal): Deadline {
  const controller = new AbortController();
  let why: 'timeout' | 'stopped' = 'timeout';
  const timer = setTimeout(() => controller.abort(new DOMException('deadline', 'TimeoutError')), timeoutMs);
  const onStop = () => {
    why = 'stopped';
    controller.abort(stop.reason);
  };
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    reason: () => why,
    onExpire(callback) {
      if (controller.signal.aborted) queueMicrotask(callback);
      else controller.signal.addEventListener('abort', callback, { once: true });
    },
    dispose() {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    },
  };
}

export function timeoutMessage(deadline: Deadline, timeoutMs: number, what = 'no answer'): string {
  return deadline.reason() === 'stopped' ? 'stopped before an answer' : `${what} within ${timeoutMs} ms`;
}

/**
 * Ends the wait for `work` when `signal` aborts, for APIs that take no signal (pg's Client, fs calls
 * on a hung mount). The work itself carries on until its current call returns; its late failure is
 * expected and ignored, since nobody awaits it any more.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
