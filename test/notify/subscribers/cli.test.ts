// `statuspost subscribers list|export|delete`, the built CLI against a real SQLite store in a
// temporary project: addresses shown to the operator, JSON lines on export, delete by id or address.
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emailSubscriberId } from '../../../src/notify/subscribers/token.ts';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import { statuspost } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/temp.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const NOW = Date.now();

async function project() {
  const root = await tempDir();
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await mkdir(join(root, 'data/demo'), { recursive: true });
  const store = await openSqliteStore({ path: join(root, 'data/demo/statuspost.db') });
  await store.migrate();
  await store.saveSubscriber({ id: emailSubscriberId('reader@example.org'), channel: 'email', address: 'reader@example.org', components: ['cache'], state: 'confirmed', source: 'self-service', createdAt: NOW - 60_000, confirmedAt: NOW - 30_000 });
  await store.saveSubscriber({ id: emailSubscriberId('new@example.org'), channel: 'email', address: 'new@example.org', components: null, state: 'pending', source: 'self-service', createdAt: NOW, confirmedAt: null });
  await store.saveSubscriber({ id: 'config:team-slack', channel: 'slack', address: 'https://hooks.slack.example/T0/B0/x', components: null, state: 'confirmed', source: 'config', createdAt: NOW - 120_000, confirmedAt: NOW - 120_000 });
  await store.close();
  return root;
}

describe('statuspost subscribers', () => {
  it('lists, exports and deletes', async () => {
    const root = await project();
    const listed = await statuspost(['subscribers', 'list', '--root', root]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('reader@example.org');
    expect(listed.stdout).toContain('3 subscribers, 1 pending confirmation');

    const json = await statuspost(['subscribers', 'list', '--json', '--root', root]);
    const all = JSON.parse(json.stdout) as Array<{ id: string; address: string; state: string }>;
    expect(all.map((s) => s.address)).toEqual(['https://hooks.slack.example/T0/B0/x', 'reader@example.org', 'new@example.org']);

    const exported = await statuspost(['subscribers', 'export', '--root', root]);
    const lines = exported.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; components: string[] | null; confirmedAt: string | null });
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatchObject({ id: emailSubscriberId('reader@example.org'), components: ['cache'], confirmedAt: new Date(NOW - 30_000).toISOString() });

    const byAddress = await statuspost(['subscribers', 'delete', 'Reader@Example.org', '--json', '--root', root]);
    expect(byAddress.code, byAddress.stderr).toBe(0);
    expect(JSON.parse(byAddress.stdout)).toEqual({ deleted: emailSubscriberId('reader@example.org') });
    const again = await statuspost(['subscribers', 'delete', emailSubscriberId('reader@example.org'), '--root', root]);
    expect(again.code).toBe(1);
    const configured = await statuspost(['subscribers', 'delete', 'config:team-slack', '--root', root]);
    expect(configured.code).toBe(2);
    expect(configured.stderr).toContain('probes/notify.yaml');
    const after = await statuspost(['subscribers', 'export', '--root', root]);
    expect(after.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('a misspelt action gets a did-you-mean', async () => {
    const ran = await statuspost(['subscribers', 'lsit']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('did you mean "list"');
  });
});
