// One error type for bad input, with a stable code, a position and a hint.
// Only src/cli/main.ts turns these into exit codes.

export type ErrorCode =
  | 'SP_CONFIG_INVALID'
  | 'SP_POST_INVALID'
  /** Not an error: the post is published, but probably not as its author meant (a time ahead of now, a file skipped). */
  | 'SP_POST_WARNING'
  | 'SP_CONFIG_MISSING'
  | 'SP_YAML_SYNTAX'
  | 'SP_ENV_MISSING'
  | 'SP_USAGE'
  | 'SP_STORE_UNAVAILABLE'
  | 'SP_STORE_TOO_NEW'
  | 'SP_STORE_LOCKED'
  /** The publisher's lease was taken over (or expired): a stale publisher must not publish. */
  | 'SP_LEASE_LOST'
  | 'SP_BUILD_FAILED'
  | 'SP_DEMO_NOT_RUNNING'
  | 'SP_LISTEN_FAILED'
  | 'SP_WRITE_FAILED'
  | 'SP_PROJECT_EXISTS'
  /** `new` would replace a post: it never does. */
  | 'SP_POST_EXISTS'
  /** Another command holds the post's lock past the wait. */
  | 'SP_POST_LOCKED'
  /** A command refused to change a post: the incident is resolved, the window not started, a placeholder is left. */
  | 'SP_POST_REFUSED'
  /** The author gave up (an empty message in the editor): nothing was written. */
  | 'SP_ABORTED';

export interface SourcePosition {
  /** Relative to the project root, never absolute. */
  file: string;
  line?: number;
  column?: number;
}

export interface ErrorExtra {
  at?: SourcePosition;
  hint?: string;
  cause?: unknown;
}

export class StatuspostError extends Error {
  override readonly name = 'StatuspostError';
  readonly code: ErrorCode;
  readonly at: SourcePosition | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, extra: ErrorExtra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.at = extra.at;
    this.hint = extra.hint;
  }
}

/** Problems are collected, then reported together: one bad file never hides the next. */
export class ProblemsError extends Error {
  override readonly name = 'ProblemsError';
  constructor(readonly problems: readonly StatuspostError[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} found`);
  }
}

export function formatPosition(at: SourcePosition | undefined): string {
  if (!at) return '';
  if (at.line === undefined) return at.file;
  return `${at.file}:${at.line}:${at.column ?? 1}`;
}

/** "file:line:col  message [CODE]" first, so editors and CI annotations can jump to it. */
export function formatError(error: StatuspostError): string {
  const where = formatPosition(error.at);
  const head = `${where ? `${where}  ` : ''}${error.message} [${error.code}]`;
  return error.hint ? `${head}\n  hint: ${error.hint}` : head;
}

export function errorToJson(error: StatuspostError): Record<string, unknown> {
  return {
    code: error.code,
    message: error.message,
    file: error.at?.file ?? null,
    line: error.at?.line ?? null,
    column: error.at?.column ?? null,
    hint: error.hint ?? null,
  };
}
