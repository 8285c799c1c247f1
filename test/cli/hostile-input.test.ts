// `statuspost check` on hostile and careless input (issue 15): positioned problems and exit 1,
// warnings with exit 0; never exit 70.
import { execFile } from 'node:child_process';
import { chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aliasBomb, INCIDENT, incidentText } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));

/** Runs the bin, as `user` when given (root's tests read as an unprivileged user with runuser). */
function statuspost(args: string[], user?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const [command, argv] = user ? ['runuser', ['-u', user, '--', process.execPath, bin, ...args]] : [process.execPath, [bin, ...args]];
  return new Promise((resolve) => {
    execFile(command, argv, { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const project = (files: Record<string, string>) =>
  tempProject({
    'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\n',
    'probes/components.yaml': 'components:\n  - id: cache\n    name: Cache\n',
    ...files,
  });

/** Lets every user read the project (mkdtemp makes it private to its owner). */
async function openToAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await openToAll(path);
    else await chmod(path, 0o644);
  }
}

describe('statuspost check with hostile input', () => {
  it('reports an unreadable post at its position, names the reason and exits 1, not 70', async () => {
    const root = await project({ [INCIDENT]: incidentText() });
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const runuser = await stat('/usr/sbin/runuser').catch(() => stat('/sbin/runuser')).catch(() => undefined);
      if (!runuser) {
        const reason = 'running as root and runuser is missing, so no user lacks permission to read the post';
        if (process.env.CI === 'true') throw new Error(`${reason}; CI must provide it`);
        console.warn(`skipping: ${reason}`);
        return;
      }
      await openToAll(root);
      await chmod(join(root, INCIDENT), 0o600); // owned by root: unreadable by nobody
    } else await chmod(join(root, INCIDENT), 0o000);
    const { code, stdout, stderr } = await statuspost(['check', '--root', root], asRoot ? 'nobody' : undefined);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.split('\n')).toEqual([
      `${INCIDENT}:1:1  cannot read the file: permission denied (EACCES) [SP_POST_INVALID]`,
      '  hint: make it readable by the user statuspost runs as (e.g. chmod a+r), or move it out of the folder',
      '1 problem in 3 files. Nothing was published or changed.',
      '',
    ]);
  });

  it('reports a YAML alias bomb in a post at the alias and exits 1, not 70', async () => {
    const root = await project({ [INCIDENT]: incidentText({ 1: ['---', ...aliasBomb()].join('\n') }) });
    const { code, stderr } = await statuspost(['check', '--root', root]);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      `${INCIDENT}:5:12  YAML aliases expand too far: *c here would make more than 100 copies [SP_POST_INVALID]`,
      '  hint: write the values out instead of nesting aliases of aliases; statuspost refuses documents that grow like a "billion laughs"',
      '1 problem in 3 files. Nothing was published or changed.',
      '',
    ]);
  });

  it('prints warnings, counts them in the summary and still exits 0', async () => {
    const root = await project({ 'content/incidents/notes.txt': 'ideas\n' });
    const { code, stdout, stderr } = await statuspost(['check', '--root', root]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'ok: 2 files, 1 component, 0 checks, 0 posts, no problems, 1 warning\n' });
    expect(stderr).toBe('content/incidents/notes.txt  skipped: not a post [SP_POST_WARNING]\n  hint: posts end in .md or .markdown; move other files out of content/\n');
    const json = await statuspost(['check', '--root', root, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, problems: [], warnings: [{ code: 'SP_POST_WARNING', file: 'content/incidents/notes.txt', line: null }] });
  });
});
