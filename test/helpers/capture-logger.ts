// A Logger (src/daemon/log.ts) that keeps its lines for a test to read.
import type { Logger } from '../../src/daemon/log.ts';

export type CapturedLine = { level: string; event: string; message: string; fields?: Record<string, unknown> };

export function captureLogger(): Logger & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const at = (level: string) => (event: string, message: string, fields?: Record<string, unknown>) => void lines.push({ level, event, message, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
