// Sizes are written with a unit ("40GB", "512MiB") or as a share of the whole ("10%"), never bare
// numbers: "40" could mean bytes, megabytes or gigabytes, and a reader should never have to guess.
// Decimal units are powers of 1000 (what disk vendors and `df -H` print), binary units powers of 1024.
import { z } from 'zod/v4';

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([kKMGT]i?B|B)$/;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

export type BytesOrRatio = { bytes: number } | { ratio: number };

/** "40GB" → { bytes: 4e10 }, "10%" → { ratio: 0.1 }; undefined for anything else (bad unit, > 100%). */
export function parseBytes(text: string): BytesOrRatio | undefined {
  const trimmed = text.trim();
  const percent = PERCENT.exec(trimmed);
  if (percent) {
    const value = Number(percent[1]);
    return value <= 100 ? { ratio: value / 100 } : undefined;
  }
  const size = SIZE.exec(trimmed);
  const unit = size ? UNIT_BYTES[size[2]!] : undefined;
  if (!size || unit === undefined) return undefined; // "kiB" passes the pattern but is no unit
  const bytes = Math.round(Number(size[1]) * unit);
  return Number.isSafeInteger(bytes) ? { bytes } : undefined;
}

export const bytesOrRatioSchema = z
  .string({ error: 'must be a size with a unit or a percentage, e.g. 40GB, 512MiB or 10%' })
  .transform((text, ctx) => {
    const parsed = parseBytes(text);
    if (parsed === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a size; write it with a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB) or as a percentage from 0% to 100%, e.g. 40GB, 512MiB or 10%`,
      });
      return z.NEVER;
    }
    return parsed;
  });

const DISPLAY_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** 52_300_000_000 → "52.3 GB", 10_000_000 → "10 MB": decimal units, one decimal at most. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let index = 0;
  // Compare after rounding, so 999_960 bytes shows as "1 MB" rather than "1000 kB".
  while (Math.abs(Math.round(value * 10) / 10) >= 1000 && index < DISPLAY_UNITS.length - 1) {
    value /= 1000;
    index++;
  }
  const rounded = index === 0 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${DISPLAY_UNITS[index]}`;
}
