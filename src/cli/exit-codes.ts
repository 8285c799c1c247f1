// The documented exit codes (README, "Exit codes"). Only cli/main.ts sets process.exitCode.
export const ExitCode = {
  ok: 0,
  /** `check` found invalid files; `probe --once` saw a check down. */
  problemsFound: 1,
  /** Unknown command or flag. */
  usage: 2,
  /** A store or service statuspost needs is unreachable, or a build failed; nothing was published. */
  unavailable: 3,
  /** A bug in statuspost: please report it. */
  internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
