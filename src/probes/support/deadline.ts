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
