// Hostile and careless input to probes/ (issue 15): positioned problems, never a throw, and never
// a value from the environment in a message.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { formatError } from '../../src/errors.ts';
import { aliasBomb } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

const site = 'title: Chat status\nbaseUrl: https://status.example.org\n';
const components = 'components:\n  - id: cache\n    name: Cache\n';

async function problemsOf(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, ...files });
  return (await loadConfig(root, env)).problems.map(formatError);
}

/** One check of `kind` with its other keys as written YAML lines. */
const checkFile = (kind: string, ...keys: string[]) =>
  ['checks:', '  - id: one', '    component: cache', `    kind: ${kind}`, ...keys.map((key) => `    ${key}`), ''].join('\n');

describe('loadConfig with hostile input', () => {
  it('refuses a YAML alias bomb at the alias that passes the limit', async () => {
    const problems = await problemsOf({ 'probes/checks/a.yaml': [...aliasBomb('x-'), 'checks: []', ''].join('\n') });
    expect(problems).toEqual([
      'probes/checks/a.yaml:4:10  YAML aliases expand too far: *c here would make more than 100 copies [SP_YAML_SYNTAX]\n' +
        '  hint: write the values out instead of nesting aliases of aliases; statuspost refuses documents that grow like a "billion laughs"',
    ]);
  });

  it('refuses a probes/ file over 1 MiB and one that is not UTF-8, each at its position', async () => {
    const big = `checks: []\n#${'x'.repeat(1024 * 1024)}\n`;
    const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, 'probes/checks/big.yaml': big });
    await writeFile(join(root, 'probes/checks/latin1.yaml'), Buffer.concat([Buffer.from(checkFile('tcp', 'host: h.example', 'port: 1', 'name: Caf').trimEnd()), Buffer.from([0xe9])]));
    expect((await loadConfig(root, {})).problems.map(formatError)).toEqual([
      'probes/checks/big.yaml:1:1  the file is 1.0 MiB; a file in probes/ may be at most 1.0 MiB [SP_CONFIG_INVALID]\n  hint: split the checks over several files in probes/checks/',
      'probes/checks/latin1.yaml:7:14  the file is not valid UTF-8: byte 0xE9 here is not part of a character [SP_CONFIG_INVALID]\n  hint: save the file as UTF-8; statuspost publishes no text it cannot read',
    ]);
  });
});

