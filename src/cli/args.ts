// Every command parses its own flags with node:util parseArgs, plus the shared ones.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StatuspostError } from '../errors.ts';

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
  try {
    const parsed = parseArgs({ args: argv, options: { ...sharedOptions, ...options }, allowPositionals, strict: true });
    const values = parsed.values as Record<string, unknown>;
    return {
      values: parsed.values,
      positionals: parsed.positionals,
      root: resolve(typeof values.root === 'string' ? values.root : process.cwd()),
      json: values.json === true,
      help: values.help === true,
    };
  } catch (error) {
    throw new StatuspostError('SP_USAGE', `${command}: ${(error as Error).message}`, {
      hint: `run \`statuspost ${command} --help\` for the flags it takes`,
    });
  }
}
