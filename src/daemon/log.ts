// One line per event: "2026-11-23T02:40:00.000Z info  recorded 12 results" or, with --log-format json,
// {"time":"…","level":"info","event":"recorded","count":12}. Never given a secret: callers pass ids and counts.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, message: string, fields?: LogFields): void;
  info(event: string, message: string, fields?: LogFields): void;
  warn(event: string, message: string, fields?: LogFields): void;
  error(event: string, message: string, fields?: LogFields): void;
}

export function createLogger(options: { format: LogFormat; write?: (line: string) => void; now?: () => number; debug?: boolean }): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, event: string, message: string, fields: LogFields = {}) => {
    if (level === 'debug' && !options.debug) return;
    const time = new Date(now()).toISOString();
    const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    if (options.format === 'json') {
      write(JSON.stringify({ time, level, event, message, ...defined }));
      return;
    }
    const extra = Object.entries(defined)
      .map(([key, value]) => `${key}=${typeof value === 'string' && /[\s"=]/.test(value) ? JSON.stringify(value) : String(value)}`)
      .join(' ');
    write(`${time} ${level.padEnd(5)} ${message}${extra ? `  ${extra}` : ''}`);
  };
  return {
    debug: (event, message, fields) => emit('debug', event, message, fields),
    info: (event, message, fields) => emit('info', event, message, fields),
    warn: (event, message, fields) => emit('warn', event, message, fields),
    error: (event, message, fields) => emit('error', event, message, fields),
  };
}
