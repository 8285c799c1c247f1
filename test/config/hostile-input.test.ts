// Hostile and careless input to probes/ (issue 15): positioned problems, never a throw, and never
// a value from the environment in a message.
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
});
