// How long-running commands (run, serve, demo) learn to stop. The handlers are installed when the
// command starts, not when it has finished starting: a SIGTERM that came while the daemon opened
// its store used to meet Node's default action and kill it outright. Now the command finishes
// starting and then stops gracefully; a second signal ends it at once, for a start-up that hangs.

const CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Resolves with the first SIGINT or SIGTERM received after this call. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      const again = (next: NodeJS.Signals) => process.exit(CODES[next] ?? 1);
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(signal);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}
