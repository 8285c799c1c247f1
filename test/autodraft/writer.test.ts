// The writer on real files, in this process: a post another command holds locked is logged and
// written once the lock is gone (nothing lost, nothing thrown); a taken name gets the next suffix;
// site.yaml's autoIncidents is validated with its position and a did-you-mean.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAutoIncidents } from '../../src/autodraft/writer.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/daemon/log.ts';
import { composePost } from '../../src/posts/compose.ts';
import type { ConfirmState } from '../../src/runner/confirm.ts';
import { tempProject } from '../helpers/temp.ts';
import { until } from '../helpers/until.ts';

const site = { name: 'Chat status', baseUrl: 'https://status.example.org', timezone: 'UTC' };
const components = [{ id: 'relay', name: 'Relay service', group: undefined, description: '', outage: { partialAt: 1, majorAt: 'all' as const }, essential: false }];
const checks = [{ id: 'relay-port', component: 'relay' }];

function logged() {
  const lines: Array<{ level: string; event: string; message: string; file?: string }> = [];
  return { lines, logger: createLogger({ format: 'json', write: (line) => lines.push(JSON.parse(line)) }) };
}

describe('the auto-incident writer', () => {
  it('a post held locked by another command: logged with the reason, written on the next look once free', async () => {
    const root = await tempProject({ 'content/incidents/.keep': '' });
    const since = Date.now() - 60_000;
    const states = new Map<string, ConfirmState>([['relay-port', { status: 'down', since, pending: null }]]);
    // The name it will choose, held locked by a live process (this one) as `statuspost update` would.
    const name = composePost({ kind: 'incident', title: 'Relay service: major outage', zone: 'UTC', start: since, components: ['relay'], impact: 'major', status: 'major_outage' }).file;
    const lock = join(root, 'content/incidents', `.${name.split('/').pop()}.lock`);
    await writeFile(lock, `${process.pid}\n`);
    const { lines, logger } = logged();
    const events: string[] = [];
    const auto = startAutoIncidents({ root, mode: 'draft', site, components, checks, states: () => states, logger, onWritten: (e) => events.push(e.key), lockTimeoutMs: 100, retryMs: 60_000 });
    await auto.idle();
    const failed = lines.find((line) => line.event === 'auto-incident-failed');
    expect(failed?.level).toBe('warn');
    expect(failed?.message).toContain('is being written by another statuspost command [SP_POST_LOCKED]');
    expect((await readdir(join(root, 'content/incidents'))).sort()).toEqual([`.${name.split('/').pop()}.lock`, '.keep']);
    expect(events).toEqual([]);

    await rm(lock);
    auto.request('a check changed');
    await until(() => lines.some((line) => line.event === 'incident-drafted'), 10_000, 'the draft written');
    await auto.idle();
    expect(lines.find((line) => line.event === 'incident-drafted')!.file).toBe(name);
    expect(events).toEqual([`auto-incident:${name.split('/').pop()!.replace('.md', '')}:${since}`]);
    // Asked again with nothing new: nothing more.
    auto.request('again');
    await auto.idle();
    expect(lines.filter((line) => line.event === 'incident-drafted')).toHaveLength(1);
    await auto.stop();
  });

  it('a draft deleted during the outage is not written again after a restart in that outage (data/auto-incidents.json)', async () => {
    const root = await tempProject({ 'content/incidents/.keep': '' });
    const since = Date.now() - 60_000;
    const states = new Map<string, ConfirmState>([['relay-port', { status: 'down', since, pending: null }]]);
    const ledgerFile = join(root, 'data/auto-incidents.json');
    const first = logged();
    const before = startAutoIncidents({ root, mode: 'draft', site, components, checks, states: () => states, logger: first.logger, ledgerFile });
    await before.idle();
    const file = first.lines.find((line) => line.event === 'incident-drafted')!.file!;
    await before.stop();
    await rm(join(root, file));
    const second = logged();
    const after = startAutoIncidents({ root, mode: 'draft', site, components, checks, states: () => states, logger: second.logger, ledgerFile });
    await after.idle();
    expect(second.lines.find((line) => line.event === 'incident-declined')?.file).toBe(file);
    expect(second.lines.some((line) => line.event === 'incident-drafted')).toBe(false);
    expect(await readdir(join(root, 'content/incidents'))).toEqual(['.keep']);
    await after.stop();
  });

  it('a name taken by another post gets the next suffix', async () => {
    const since = Date.now() - 60_000;
    // A resolved incident of the same name, by a person: it covers nothing, and its file stays as it is.
    const name = composePost({
      kind: 'incident', title: 'Relay service: major outage', zone: 'UTC', start: since, components: ['relay'], impact: 'major', status: 'major_outage',
      updates: [{ at: since, status: 'investigating', body: 'Looking.' }, { at: since, status: 'resolved', body: 'Fixed.' }],
    });
    const resolved = name.text;
    const root = await tempProject({ [name.file]: resolved });
    const states = new Map<string, ConfirmState>([['relay-port', { status: 'down', since, pending: null }]]);
    const { lines, logger } = logged();
    const auto = startAutoIncidents({ root, mode: 'draft', site, components, checks, states: () => states, logger });
    await auto.idle();
    const drafted = lines.find((line) => line.event === 'incident-drafted');
    expect(drafted?.file, JSON.stringify(lines)).toBe(name.file.replace('.md', '-2.md'));
    expect(await readFile(join(root, name.file), 'utf8')).toBe(resolved);
    await auto.stop();
  });
});

describe('site.yaml autoIncidents', () => {
  it('defaults to draft; a misspelt value is refused at its position with the choices', async () => {
    const files = { 'probes/components.yaml': 'components:\n  - id: relay\n    name: Relay\n', 'probes/checks/a.yaml': 'checks:\n  - id: relay-port\n    component: relay\n    kind: tcp\n    host: 127.0.0.1\n    port: 9\n' };
    const plain = await loadConfig(await tempProject({ ...files, 'probes/site.yaml': 'title: T\nbaseUrl: https://s.example\n' }));
    expect(plain.config?.site.autoIncidents).toBe('draft');
    const wrong = await loadConfig(await tempProject({ ...files, 'probes/site.yaml': 'title: T\nbaseUrl: https://s.example\nautoIncidents: publsh\n' }));
    expect(wrong.config).toBeUndefined();
    const problem = wrong.problems.find((p) => p.message.includes('autoIncidents'))!;
    expect(problem.at).toMatchObject({ file: 'probes/site.yaml', line: 3, column: 16 });
    expect(`${problem.message} ${problem.hint}`).toMatch(/publish/);
    const key = await loadConfig(await tempProject({ ...files, 'probes/site.yaml': 'title: T\nbaseUrl: https://s.example\nautoIncident: off\n' }));
    expect(key.problems.map((p) => `${p.message} ${p.hint}`).join('\n')).toContain('autoIncidents');
  });
});
