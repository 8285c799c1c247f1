// The documented exit codes (README, "Exit codes"). Only cli/main.ts sets process.exitCode.
export const ExitCode = {
  ok: 0,
  /** Invalid files; `probe` saw a check down; `status` a component not operational; `new`/`init` found a file there. */
  problemsFound: 1,
  /** Unknown command or flag, or a flag value that cannot be used. */
  usage: 2,
  /**
   * The input is fine but the work could not be done: the store is unreachable, newer than this
   * statuspost or used by another daemon; the site build or its checks failed; serve cannot listen.
   * Nothing was published: the published site is as it was.
   */
  unavailable: 3,
  /** A bug in statuspost: please report it. */
  internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
