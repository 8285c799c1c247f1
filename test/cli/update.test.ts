// update and resolve through the real bin: a valid post stays valid, a refused request leaves the
// file byte-identical, the times stamped are right across a DST change in the post's zone, the
// message comes from a flag, standard input or a real editor process, and racing commands lose nothing.
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPosts } from '../../src/posts/load.ts';
import type { Incident } from '../../src/posts/types.ts';
import { bin, statuspost, type Ran } from '../helpers/cli.ts';
import { utcTime } from '../helpers/dates.ts';
import { tempDir, tempProject } from '../helpers/temp.ts';

const ZONE = 'America/Los_Angeles';
const project = (extra: Record<string, string> = {}) =>
  tempProject({
    'probes/site.yaml': `title: Chat\nbaseUrl: https://status.example.org\ntimezone: ${ZONE}\n`,
    'probes/components.yaml': 'components:\n  - id: cache\n    name: Cache\n  - id: chat-nodes\n    name: Chat nodes\n  - id: database\n    name: Database\n',
    ...extra,
  });

/** The bin with standard input and environment of the test's choosing. */
function run(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A project with one open incident, started an hour ago: its file and slug. */
async function withIncident(extra: Record<string, string> = {}) {
  const root = await project(extra);
  const made = await statuspost(['new', 'incident', '--title', 'Chat nodes down', '--components', 'chat-nodes,cache', '--status', 'major_outage', '--start', utcTime(Date.now() - 3_600_000), '--root', root]);
  expect(made.stderr).toBe('');
  const file = made.stdout.trim();
  return { root, file, slug: file.slice(file.lastIndexOf('/') + 1, -3) };
}

const incidentIn = async (root: string) => {
  const { posts, problems } = await loadPosts({ root, componentIds: ['cache', 'chat-nodes', 'database'], siteTimezone: ZONE });
  expect(problems).toEqual([]);
  return posts[0] as Incident;
};

describe('statuspost update and resolve', () => {
  it('append updates stamped now, to the second, that check accepts and the loader reads back', async () => {
    const { root, file, slug } = await withIncident();
    const before = Math.floor(Date.now() / 1000) * 1000;
    const updated = await run(['update', slug, '--status', 'identified', '--message', 'Node 2 ran out of disk.', '--component', 'chat-nodes=partial_outage', '--sign-in-blocked', '--root', root]);
    expect(updated.stderr).toBe('');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(new RegExp(`^${file}: added update 2 \\(identified\\)\\n  - at: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\n    status: identified\\n    body: Node 2 ran out of disk.\\n`));
    const resolved = await run(['resolve', slug.slice(11), '--json', '--root', root]); // the slug without its date finds it too
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({ written: true, file, slug, kind: 'incident', update: { status: 'resolved', components: { 'chat-nodes': 'operational', cache: 'operational' } } });
    const after = Date.now();
    expect((await statuspost(['check', '--root', root])).code).toBe(0);
    const incident = await incidentIn(root);
    expect(incident.updates.map((u) => u.status)).toEqual(['investigating', 'identified', 'resolved']);
    expect(incident.updates[1]).toMatchObject({ body: 'Node 2 ran out of disk.', components: { 'chat-nodes': 'partial_outage' }, signInBlocked: true });
    for (const update of incident.updates.slice(1)) {
      expect(update.at).toBeGreaterThanOrEqual(before);
      expect(update.at).toBeLessThanOrEqual(after);
      expect(update.at % 1000).toBe(0);
    }
    expect(incident.resolvedAt).toBe(incident.updates[2]!.at);
  }, 120_000);

  it('refuses what would make the post invalid, or is not meant, and leaves the file byte-identical', async () => {
    const { root, file, slug } = await withIncident();
    const original = await readFile(join(root, file));
    const cases: Array<{ args: string[]; code: number; stderr: RegExp }> = [
      { args: ['--message', 'x', '--component', 'chat-nodse=operational'], code: 1, stderr: new RegExp(`^${file}:\\d+:\\d+  update: the incident does not name component "chat-nodse".*nothing was written \\[SP_POST_REFUSED\\]\\n  hint: did you mean "chat-nodes"\\?`) },
      { args: ['--message', 'x', '--component', 'database=operational'], code: 1, stderr: /does not name component "database"; nothing was written/ },
      { args: ['--message', 'x', '--at', '2000-01-01T00:00:00Z'], code: 1, stderr: /update: 1999-12-31T16:00:00-08:00 is before update 1 .*; nothing was written \[SP_POST_REFUSED\]/ },
      { args: ['--message', 'x', '--status', 'fixed'], code: 2, stderr: /--status must be one of investigating, identified, monitoring, resolved, not "fixed"/ },
      { args: ['--message', 'x', '--component', 'cache=down'], code: 2, stderr: /--component must be one of operational/ },
      { args: ['--message', 'x', '--sign-in-blocked', '--sign-in-works'], code: 2, stderr: /contradict/ },
      { args: ['--message', '   '], code: 1, stderr: /the message is empty, so nothing was written \[SP_ABORTED\]/ },
      { args: ['--message', 'x', '--at', '2025-11-02T01:30'], code: 2, stderr: /--at "2025-11-02T01:30" is not a usable time/ },
    ];
    for (const { args, code, stderr } of cases) {
      const ran = await run(['update', slug, ...args, '--root', root]);
      expect({ args, code: ran.code, stderr: ran.stderr }).toEqual({ args, code, stderr: expect.stringMatching(stderr) });
      expect((await readFile(join(root, file))).equals(original)).toBe(true);
    }
    expect((await run(['update', 'no-such-incident', '--message', 'x', '--root', root])).stderr).toMatch(/update: no post has the slug "no-such-incident" \[SP_USAGE\]/);

    // Another post that the build would refuse blocks the write too: the build would publish neither.
    await writeFile(join(root, 'content/incidents/2020-01-01-broken.md'), '---\ntitle: Broken\nimpact: huge\n---\n');
    const blocked = await run(['update', file, '--message', 'x', '--root', root]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^content\/incidents\/2020-01-01-broken\.md:3:9  impact: /m);
    expect(blocked.stderr).toContain(`nothing was written: ${file} is as it was [SP_POST_INVALID]`);
    expect((await readFile(join(root, file))).equals(original)).toBe(true);
  }, 180_000);

  it('refuses to update or resolve a resolved incident, naming the resolving update', async () => {
    const { root, file, slug } = await withIncident();
    expect((await run(['resolve', slug, '--message', 'All good.', '--root', root])).code).toBe(0);
    const resolvedText = await readFile(join(root, file));
    for (const args of [['update', slug, '--message', 'Back again.'], ['resolve', slug]]) {
      const ran = await run([...args, '--root', root]);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toMatch(new RegExp(`^${file}:\\d+:\\d+  (update|resolve): the incident was resolved at .*; nothing was written \\[SP_POST_REFUSED\\]\\n  hint: if the problem is back, open a new incident`));
      expect((await readFile(join(root, file))).equals(resolvedText)).toBe(true);
    }
  }, 120_000);

  it('stamps the right instants across a daylight-saving change in the post\'s zone', async () => {
    // 2025-11-02 01:00-02:00 happens twice in Los Angeles: 01:30 is 08:30 UTC (PDT) and 09:30 UTC (PST).
    const root = await project();
    const made = await run(['new', 'incident', '--title', 'Slow sign-in', '--components', 'cache', '--start', '2025-11-02T00:50', '--root', root]);
    expect(made.code).toBe(0);
    const steps: Array<[string[], string]> = [
      [['update', 'slow-sign-in', '--status', 'identified', '--message', 'First 01:30.', '--at', '2025-11-02T08:30:15Z'], 'at: 2025-11-02T01:30:15-07:00'],
      [['update', 'slow-sign-in', '--status', 'monitoring', '--message', 'Second 01:30.', '--at', '2025-11-02T01:30:20-08:00'], 'at: 2025-11-02T01:30:20-08:00'],
      [['resolve', 'slow-sign-in', '--at', '2025-11-02T10:00:05Z'], 'at: 2025-11-02T02:00:05\n'],
    ];
    for (const [args, written] of steps) {
      const ran = await run([...args, '--root', root]);
      expect(ran.stderr).toBe('');
      expect(ran.stdout).toContain(written);
    }
    const checked = await run(['check', '--root', root]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    const incident = await incidentIn(root);
    expect(incident.updates.map((u) => new Date(u.at).toISOString())).toEqual(['2025-11-02T07:50:00.000Z', '2025-11-02T08:30:15.000Z', '2025-11-02T09:30:20.000Z', '2025-11-02T10:00:05.000Z']);
  }, 120_000);

  it('reads --message - from standard input, Markdown and all', async () => {
    const { root, slug } = await withIncident();
    const ran = await run(['update', slug, '--status', 'monitoring', '--message', '-', '--root', root], { input: 'A fix is out.\n\n- node 2 restarted\n- watching: "errors" & latency\n' });
    expect(ran.stderr).toBe('');
    expect((await incidentIn(root)).updates[1]!.body).toBe('A fix is out.\n\n- node 2 restarted\n- watching: "errors" & latency');
  }, 120_000);

  it('opens $EDITOR on a file that explains what to write, drops # lines, and writes nothing for an empty message', async () => {
    const { root, file, slug } = await withIncident();
    const tools = await tempDir();
    const copy = join(tools, 'prefill.txt');
    const editor = async (name: string, script: string) => {
      const path = join(tools, name);
      await writeFile(path, `#!/bin/sh\ncp "$1" '${copy}'\n${script}\n`);
      await chmod(path, 0o755);
      return path;
    };
    const writes = await editor('writes.sh', `printf 'We found the cause:\\na full disk.\\n# this line is dropped\\n' > "$1"`);
    const ran = await run(['update', slug, '--status', 'identified', '--root', root], { env: { EDITOR: writes, VISUAL: '' } });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const prefill = await readFile(copy, 'utf8');
    expect(prefill).toMatch(/^\n# Write the update for "Chat nodes down" above these lines/);
    expect(prefill).toContain('# Status of this update: identified');
    expect(prefill).toContain('# Last update, investigating,');
    expect((await incidentIn(root)).updates[1]!.body).toBe('We found the cause:\na full disk.');

    const original = await readFile(join(root, file));
    const empty = await editor('empty.sh', `printf '# nothing written\\n\\n' >> "$1"`);
    const aborted = await run(['update', slug, '--root', root], { env: { EDITOR: empty } });
    expect(aborted).toMatchObject({ code: 1, stderr: expect.stringContaining('the message is empty, so nothing was written [SP_ABORTED]') });
    const fails = await editor('fails.sh', 'exit 3');
    const failed = await run(['update', slug, '--root', root], { env: { EDITOR: '', VISUAL: fails } }); // $VISUAL when $EDITOR is unset
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('exited with status 3, so nothing was written [SP_ABORTED]') });
    expect((await readFile(join(root, file))).equals(original)).toBe(true);
  }, 120_000);

  it('lands every update when several commands race on one file', async () => {
    const { root, file, slug } = await withIncident();
    const messages = ['one', 'two', 'three', 'four'].map((word) => `Update ${word}.`);
    const ran = await Promise.all(messages.map((message) => run(['update', slug, '--message', message, '--root', root])));
    for (const result of ran) expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const incident = await incidentIn(root);
    expect(incident.updates.slice(1).map((u) => u.body).sort()).toEqual([...messages].sort());
    // In file order the times never go back, so the rules accept the file as it is.
    const times = incident.updates.map((u) => u.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect((await statuspost(['check', '--root', root])).code).toBe(0);
    expect(await readFile(join(root, file), 'utf8')).not.toMatch(/\.lock|\.tmp/);
  }, 180_000);

  it('works when a check\'s secret is not set in the engineer\'s shell, and says so; a broken components.yaml still refuses', async () => {
    const { root, file, slug } = await withIncident();
    await mkdir(join(root, 'probes/checks'), { recursive: true });
    await writeFile(join(root, 'probes/checks/cache.yaml'), 'checks:\n  - id: cache-port\n    component: cache\n    kind: tcp\n    host: ${CACHE_HOST_FOR_ONCALL_TEST}\n    port: 6379\n');
    const env = { CACHE_HOST_FOR_ONCALL_TEST: undefined };
    const ran = await run(['update', slug, '--message', 'Still looking.', '--root', root], { env });
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe('note: probes/ has a problem (`statuspost check` lists it); posts are checked against probes/site.yaml and probes/components.yaml alone\n');
    expect(ran.stdout).toContain(`${file}: added update 2`);
    await writeFile(join(root, 'probes/components.yaml'), 'components:\n  - id: cache\n');
    const original = await readFile(join(root, file));
    const refused = await run(['update', slug, '--message', 'x', '--root', root], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^probes\/components\.yaml:2:5  components\.0\.name: /m);
    expect((await readFile(join(root, file))).equals(original)).toBe(true);
  }, 120_000);
});
