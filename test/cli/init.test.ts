// `statuspost init [DIR]`: the project the errors promise, valid as written, whatever the date.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, statuspost } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { realClockEnv } from '../helpers/real-clock.ts';

const SCAFFOLD = [
  '.gitignore',
  'content/incidents/',
  'content/maintenance/.gitkeep',
  'probes/checks/disk.yaml',
  'probes/components.yaml',
  'probes/notify.yaml',
  'probes/site.yaml',
];

/** Every file under `dir`, relative, sorted; the incident's dated name as a folder. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .map((file) => (file.startsWith('content/incidents/') ? 'content/incidents/' : file))
    .sort();
}

describe('statuspost init', () => {
  it('scaffolds a project that check accepts at once, whose check is up, and that build publishes', async () => {
    const parent = await tempDir('statuspost-init-');
    const made = await statuspost(['init', 'my-status'], { cwd: parent });
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const root = join(parent, 'my-status');
    expect(await listing(root)).toEqual(SCAFFOLD);
    const [post] = await readdir(join(root, 'content/incidents'));
    expect(made.stdout).toContain(`content/incidents/${post}`);
    expect(made.stdout).toContain('cd my-status');

    const checked = await statuspost(['check'], { cwd: root });
    expect(checked.stderr).toBe('');
    expect(checked.stdout.trim()).toBe('ok: 5 files, 1 component, 1 check, 1 post, no problems');
    expect(checked.code).toBe(0);

    const probed = await statuspost(['probe', '--once', '--json'], { cwd: root });
    expect(probed.code).toBe(0);
    expect(JSON.parse(probed.stdout)).toMatchObject({ checkId: 'disk-canary', status: 'up', message: expect.stringMatching(/^canary written, synced, read back and removed in /) });

    const built = await statuspost(['build', '--json'], { cwd: root, timeoutMs: 170_000 });
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    const index = await readFile(join(root, 'public-site/index.html'), 'utf8');
    expect(index).toContain('My status');
    expect(existsSync(join(root, `public-site/incidents/${post!.replace(/\.md$/, '')}/index.html`))).toBe(true);

    // What running it made (the store, the published link and its builds) is ignored by git.
    execFileSync('git', ['init', '-q'], { cwd: root });
    const untracked = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
    expect(untracked.split('\n').filter(Boolean).map((line) => line.slice(3)).map((file) => (file.startsWith('content/incidents/') ? 'content/incidents/' : file)).sort()).toEqual(SCAFFOLD);
  }, 240_000);

  it('writes a notify.yaml whose commented example is valid once uncommented', async () => {
    const root = join(await tempDir('statuspost-init-'), 'p');
    expect((await statuspost(['init', root])).code).toBe(0);
    const written = await readFile(join(root, 'probes/notify.yaml'), 'utf8');
    // The prose ends at a line holding only "#"; the example follows it.
    const lines = written.split('\n');
    const example = lines.slice(lines.indexOf('#') + 1).filter((line) => line.startsWith('# ')).map((line) => line.slice(2));
    expect(example[0]).toBe('targets:');
    await writeFile(join(root, 'probes/notify.yaml'), `${example.join('\n')}\n`);
    const env = { SMTP_PASSWORD: 'an-smtp-password', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/secretpart' };
    const checked = await statuspost(['check', '--root', root], { env });
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    // Both targets of the example are there (the kinds an operator starts with: a mail and a chat channel).
    expect(example).toEqual(expect.arrayContaining(['    kind: email', '    kind: slack', '  - targets: [ops-mail, ops-slack]']));
    // Each value it takes from the environment is needed: without the Slack URL the check names it.
    const without = await statuspost(['check', '--root', root], { env: { SMTP_PASSWORD: env.SMTP_PASSWORD, SLACK_WEBHOOK_URL: '' } });
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('SLACK_WEBHOOK_URL');
    // Pasting the URL itself into the file is refused at its place, naming a variable, never the URL.
    await writeFile(join(root, 'probes/notify.yaml'), `${example.join('\n').replace('${SLACK_WEBHOOK_URL}', env.SLACK_WEBHOOK_URL)}\n`);
    const pasted = await statuspost(['check', '--root', root], { env });
    expect(pasted.code).toBe(1);
    expect(pasted.stderr).toMatch(/^probes\/notify\.yaml:\d+:10 {2}targets\.ops-slack\.url: must come from the environment/m);
    expect(pasted.stderr).toContain('write it as url: ${OPS_SLACK_URL}');
    expect(pasted.stderr).not.toContain('secretpart');
  });

  it('is what the hint for a folder without probes/ says to run, and it works there', async () => {
    const root = await tempDir('statuspost-init-');
    const missing = await statuspost(['check'], { cwd: root });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('hint: run `statuspost init` to create a project here');
    expect((await statuspost(['init'], { cwd: root })).code).toBe(0);
    const checked = await statuspost(['check'], { cwd: root });
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it('refuses to overwrite a file, names it, and touches nothing', async () => {
    const root = await tempDir('statuspost-init-');
    await mkdir(join(root, 'probes'));
    await writeFile(join(root, 'probes/site.yaml'), 'title: Mine\n');
    await writeFile(join(root, '.gitignore'), 'node_modules/\n');
    const refused = await statuspost(['init', root]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`init: probes/site.yaml exists already in ${root}; nothing was written [SP_PROJECT_EXISTS]`);
    expect(await listing(root)).toEqual(['.gitignore', 'probes/site.yaml']);
    expect(await readFile(join(root, 'probes/site.yaml'), 'utf8')).toBe('title: Mine\n');
    expect(await readFile(join(root, '.gitignore'), 'utf8')).toBe('node_modules/\n');
  });

  it('adds what an existing .gitignore lacks and keeps what it has', async () => {
    const root = await tempDir('statuspost-init-');
    await writeFile(join(root, '.gitignore'), 'node_modules/\ndata/');
    const made = await statuspost(['init', '--root', root, '--json']);
    expect(made.code).toBe(0);
    const report = JSON.parse(made.stdout) as { root: string; created: string[]; gitignore: string };
    expect(report).toMatchObject({ root, gitignore: 'appended' });
    expect(report.created).toHaveLength(SCAFFOLD.length - 1);
    const ignored = await readFile(join(root, '.gitignore'), 'utf8');
    expect(ignored.startsWith('node_modules/\ndata/\n')).toBe(true);
    expect(ignored.match(/^data\/$/gm)).toHaveLength(1);
    expect(ignored).toContain('/public-site\n');
  });

  it('refuses a folder it cannot make, at once and without writing anything', async () => {
    const root = await tempDir('statuspost-init-');
    await writeFile(join(root, 'a-file'), '');
    const underFile = await statuspost(['init', join(root, 'a-file', 'project')], { timeoutMs: 30_000 });
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toContain(`init: cannot make a project in ${join(root, 'a-file', 'project')}: ${join(root, 'a-file')} is a file, not a folder [SP_USAGE]`);
    // /proc answers mkdir with ENOENT, on which Node 20's recursive mkdir spins for ever.
    const proc = await statuspost(['init', '/proc/statuspost-init'], { timeoutMs: 30_000 });
    expect(proc.stderr).toContain('init: cannot make a project in /proc/statuspost-init: /proc/statuspost-init cannot be made (ENOENT) [SP_USAGE]');
    expect(proc.code).toBe(2);
    expect(await readdir(root)).toEqual(['a-file']);
  }, 90_000);

  it('refuses two folders, or a folder and --root', async () => {
    const root = await tempDir('statuspost-init-');
    const two = await statuspost(['init', join(root, 'a'), join(root, 'b')]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('init: give one folder, not 2 [SP_USAGE]');
    const both = await statuspost(['init', join(root, 'a'), '--root', join(root, 'b')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('init: give the folder once: as DIR or as --root, not both [SP_USAGE]');
    expect(await readdir(root)).toEqual([]);
  });

  // The example post is dated from the clock: in the hour a DST change repeats, its wall-clock times
  // would be ambiguous. faketime (Debian's) runs init at such an hour.
  const hasFaketime = existsSync('/usr/bin/faketime');
  if (!hasFaketime) console.warn('skipping the init-at-a-DST-change test: faketime is not installed (apt-get install faketime)');
  it.skipIf(!hasFaketime && process.env.CI !== 'true')('writes a valid example post when run in the hour a DST change repeats', async () => {
    const root = await tempDir('statuspost-init-');
    // 04:30 PST on 2025-11-02: three hours earlier, 01:30, happened twice in Los Angeles.
    const made = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile('faketime', ['2025-11-02 04:30:00', process.execPath, bin, 'init', root], { env: { ...realClockEnv(), TZ: 'America/Los_Angeles', FAKETIME_DONT_FAKE_MONOTONIC: '1' } }, (error, _stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(made).toEqual({ code: 0, stderr: '' });
    expect(await readFile(join(root, 'probes/site.yaml'), 'utf8')).toContain('timezone: America/Los_Angeles');
    const [post] = await readdir(join(root, 'content/incidents'));
    expect(post).toMatch(/^2025-11-02-/);
    expect(await readFile(join(root, 'content/incidents', post!), 'utf8')).toContain('start: 2025-11-02T01:30:00-08:00');
    const checked = await statuspost(['check', '--root', root]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  }, 60_000);
});
