// Every command parses its own flags with node:util parseArgs, plus the shared ones.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../config/issues.ts';
import { StatuspostError } from '../errors.ts';
import { isLanguage, languageHint, type Language } from '../i18n/languages.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export const sharedOptions = {
  root: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  /** Absolute project folder. */
  root: string;
  json: boolean;
  help: boolean;
}

export function parseCommandArgs(command: string, argv: string[], options: Options, allowPositionals = false): CommandArgs {
  const all = { ...sharedOptions, ...options };
  try {
    const parsed = parseArgs({ args: argv, options: all, allowPositionals, strict: true });
    const values = parsed.values as Record<string, unknown>;
    return {
      values: parsed.values,
      positionals: parsed.positionals,
      root: resolve(typeof values.root === 'string' ? values.root : process.cwd()),
      json: values.json === true,
      help: values.help === true,
    };
  } catch (error) {
    const help = `run \`statuspost ${command} --help\` for the flags it takes`;
    if ((error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'(-[^']*)'/.exec((error as Error).message)?.[1] ?? '';
      const meant = closest(flag.replace(/^-+/, '').replace(/=.*$/, ''), Object.keys(all));
      throw new StatuspostError('SP_USAGE', `${command}: Unknown option '${flag}'`, { hint: meant ? `did you mean --${meant}? ${help}` : help });
    }
    throw new StatuspostError('SP_USAGE', `${command}: ${(error as Error).message}`, { hint: help });
  }
}

/**
 * A flag that holds a whole number within bounds (ports, rates, counts). Anything else is bad usage
 * that names the flag, never a NaN passed on to fail later as an internal error.
 */
export function wholeNumber(command: string, flag: string, value: unknown, bounds: { min: number; max?: number; example: number }): number {
  const text = String(value);
  const number = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(number) && number >= bounds.min && (bounds.max === undefined || number <= bounds.max)) return number;
  const range = bounds.max === undefined ? `from ${bounds.min}` : `from ${bounds.min} to ${bounds.max}`;
  throw new StatuspostError('SP_USAGE', `${command}: --${flag} must be a whole number ${range}, not "${text}"`, {
    hint: `e.g. --${flag} ${bounds.example}`,
  });
}

/** One word out of a fixed set (a subcommand, a format): a misspelt one gets a did-you-mean. */
export function oneOf<const T extends string>(command: string, what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const meant = closest(value, allowed);
  throw new StatuspostError('SP_USAGE', `${command}: unknown ${what} "${value}"`, {
    hint: `${meant ? `did you mean "${meant}"? ` : ''}${what}s: ${allowed.join(', ')}`,
  });
}

/** A flag whose value is one word out of a fixed set (`--format csv|jsonl`). */
export function flagChoice<const T extends string>(command: string, flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const meant = closest(value, allowed);
  const list = allowed.length === 2 ? `${allowed[0]} or ${allowed[1]}` : `one of ${allowed.join(', ')}`;
  throw new StatuspostError('SP_USAGE', `${command}: --${flag} must be ${list}, not "${value}"`, meant ? { hint: `did you mean ${meant}?` } : {});
}

/** `--language de`: the site's language for this build, over site.yaml's `language:`; undefined without the flag. */
export function languageFlag(command: string, value: unknown): Language | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (isLanguage(text)) return text;
  throw new StatuspostError('SP_USAGE', `${command}: --language must be a language the site is written in, not "${text}"`, { hint: languageHint(text) });
}
