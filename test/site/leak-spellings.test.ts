// Issue 15 §5 end to end: a post that spells private values the way a reader would recognise them
// (another letter case, the typographer's dashes, a percent-encoded link, base64, the password or the
// token of a private URL on its own) is refused by the real `statuspost build`, and nothing changes.
import { cp, readFile, readdir, readlink, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'bin/statuspost.mjs');
const run = (args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd: repo }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );

/** The demo project (its probes/ and content/), without the demo's scheduled window. */
async function demoProject(): Promise<string> {
  const root = await tempDir('statuspost-leak-');
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
  return root;
}

async function treeBytes(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out[path.slice(folder.length)] = (await readFile(path)).toString('base64');
    }
  };
  await walk(folder);
  return out;
}

// Secrets from the environment, as an operator would set them. Whole URLs are private; the post below
// writes only their parts.
const env = {
  GATEWAY_URL: 'https://api-gw.corp.internal/health?token=9f8e7d6c5b4a',
  DATABASE_URL: 'postgres://chat:Tr0ub4dor&3x@db.corp.internal:5432/chat',
  RUNBOOK_KEY: 'let--me--in-2024',
  SHARE_KEY: 'open sesame@42!',
};
const checks = [
  'checks:',
  '  - id: gateway',
  '    component: load-balancer',
  '    kind: http',
  '    url: ${GATEWAY_URL}',
  '    headers:',
  '      x-runbook-key: ${RUNBOOK_KEY}',
  '      x-share-key: ${SHARE_KEY}',
  '  - id: main-db',
  '    component: database',
  '    kind: postgres',
  '    url: ${DATABASE_URL}',
  '',
].join('\n');
const post = [
  '---',
  'title: Gateway errors after a credential rotation',
  'impact: minor',
  'start: 2016-03-01T06:00:00-08:00',
  'components:',
  '  load-balancer: partial_outage',
  'updates:',
  '  - at: 2016-03-01T07:00:00-08:00',
  '    status: resolved',
  '    body: Calls succeed again.',
  'postmortemAt: 2016-03-02T10:00:00-08:00',
  '---',
  '',
].join('\n');
const leakyBody = [
  'Calls to API-GW.CORP.INTERNAL failed once the token 9f8e7d6c5b4a was revoked.',
  'The database password Tr0ub4dor&3x was rotated (clients sent `Basic Y2hhdDpUcjB1YjRkb3ImM3g=`),',
  'and so was the runbook key let--me--in-2024. See [the share](https://share.example.org/?key=open%20sesame@42!).',
  '',
].join('\n');

describe('statuspost build, private values in other spellings', () => {
  it('refuses a post that spells them as a reader would recognise them, names each, prints none, and leaves the site as it was', async () => {
    const root = await demoProject();
    await writeFile(join(root, 'probes/checks/extra.yaml'), checks);
    await writeFile(join(root, 'content/incidents/2016-03-01-gateway-errors.md'), `${post}Calls to the gateway failed; the credentials were rotated.\n`);
    // The same checks and an innocent post publish: nothing in the demo or the post is a false positive.
    const clean = await run(['build', '--root', root], env);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    const site = join(root, 'public-site');
    const linkBefore = await readlink(site);
    const before = await treeBytes(await realpath(site));

    await writeFile(join(root, 'content/incidents/2016-03-01-gateway-errors.md'), `${post}${leakyBody}`);
    const leaked = await run(['build', '--root', root], env);
    expect(leaked.code).toBe(3);
    const { config } = await loadConfig(root, { ...process.env, ...env });
    const number = (value: string) => {
      const index = config!.privateValues.indexOf(value);
      expect(index, 'a private value the test relies on').toBeGreaterThanOrEqual(0);
      return index + 1;
    };
    const page = 'incidents/2016-03-01-gateway-errors/index.html';
    for (const where of [
      `${page} (private value #${number('api-gw.corp.internal')}, respelled)`,
      `${page} (the query value in private value #${number(env.GATEWAY_URL)}, plain)`,
      `${page} (the password in private value #${number(env.DATABASE_URL)}, html)`,
      `${page} (the password in private value #${number(env.DATABASE_URL)}, base64)`,
      `${page} (private value #${number(env.RUNBOOK_KEY)}, respelled)`,
      `${page} (private value #${number(env.SHARE_KEY)}, respelled)`,
    ]) {
      expect(leaked.stderr).toContain(where);
    }
    expect(leaked.stderr).toMatch(/; nothing was published \[SP_BUILD_FAILED\]/);
    for (const value of [...Object.values(env), 'api-gw', '9f8e7d6c5b4a', 'Tr0ub4dor', 'let--me', 'let–me', 'sesame']) {
      expect(leaked.stderr).not.toContain(value);
      expect(leaked.stdout).not.toContain(value);
    }
    expect(await readlink(site)).toBe(linkBefore);
    expect(await treeBytes(await realpath(site))).toEqual(before);
  }, 300_000);
});
