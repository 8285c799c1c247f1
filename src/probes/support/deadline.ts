// A probe's own deadline, combined with the caller's stop signal.

export interface Deadline {
  signal: AbortSignal;
  /** Why the signal fired: our timeout or the caller stopping. */
  reason(): 'timeout' | 'stopped';
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
    dispose() {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    },
  };
}

export function timeoutMessage(deadline: Deadline, timeoutMs: number, what = 'no answer'): string {
  return deadline.reason() === 'stopped' ? 'stopped before an answer' : `${what} within ${timeoutMs} ms`;
}
