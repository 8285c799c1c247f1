// Issue 17's "done when", as an on-call engineer lives it on the demo cluster, with commands alone:
// a node stops → statuspost drafts the incident → publish → three updates → the node comes back →
// resolve → postmortem with the measured impact → publish the postmortem. After each step the
// published site, the Statuspage API, RSS and the banner feed say what the step said.
import { cp, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { statuspost } from '../helpers/cli.ts';
import { startDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

interface Published {
  page: string | undefined;
  api: { incidents: Array<{ id: string; shortlink?: string; name: string; status: string; incident_updates: Array<{ status: string; body: string }>; postmortem_body?: string | null }> };
  rss: string;
  banner: { banners: Array<{ id: string; kind: string; short: string }> };
}

describe('the incident loop on the demo cluster, with commands alone', () => {
  it('node stopped → draft → publish → three updates → resolve → postmortem; each step on the site, API, RSS and banner', async () => {
    const root = await tempDir('statuspost-incident-loop-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    // The chat nodes' checks every 2 s instead of 30 s, so the outage is confirmed within seconds.
    const nodes = join(root, 'probes/checks/nodes.yaml');
    await writeFile(nodes, (await readFile(nodes, 'utf8')).replaceAll('schedule: 30s', 'schedule: 2s'));
    const demo = startDemo(root);
    await demo.waitFor((line) => line === 'Press Ctrl-C to stop.', 'the demo serving its site');
    const site = () => realpath(join(root, 'public-site'));

    const run = async (args: string[], input?: string) => {
      const result = await statuspost([...args, '--root', root], input === undefined ? {} : { input });
      expect(result.code, `statuspost ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
      return result.stdout;
    };
    /**
     * Runs a command that changes content/, then reads the published site until it shows the
     * change (the daemon republishes when content/ changes; an earlier publish may still land first).
     */
    const step = async (args: string[], slug: string, shows: (state: Published) => boolean, input?: string): Promise<Published> => {
      await run(args, input);
      const deadline = Date.now() + 180_000;
      for (;;) {
        // A build swapped in between reading the link and reading a file: read again.
        const state = await published(slug).catch(() => undefined);
        if (state && shows(state)) return state;
        if (Date.now() > deadline) throw new Error(`statuspost ${args.join(' ')}: not published within 180 s; output:\n${demo.lines.slice(-40).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const published = async (slug: string): Promise<Published> => {
      const folder = await site();
      return {
        page: await readFile(join(folder, `incidents/${slug}/index.html`), 'utf8').catch(() => undefined),
        api: JSON.parse(await readFile(join(folder, 'api/v2/incidents.json'), 'utf8')),
        rss: await readFile(join(folder, 'rss.xml'), 'utf8'),
        banner: JSON.parse(await readFile(join(folder, 'banner.json'), 'utf8')),
      };
    };

    // 1. A node stops: statuspost drafts the incident, and publishes nothing of it.
    expect((await statuspost(['demo', 'node', 'stop', '2', '--root', root])).code).toBe(0);
    const drafted = await demo.waitFor((line) => line.includes(' drafted incident content/incidents/'), 'the draft written');
    const slug = /publish with `statuspost publish (\S+)`/.exec(drafted)?.[1];
    expect(slug, drafted).toBeDefined();
    const listed = JSON.parse(await run(['list', '--open', '--json']));
    expect(JSON.stringify(listed)).toContain(slug!);
    let state = await published(slug!);
    expect(state.page).toBeUndefined();
    expect(state.api.incidents).toEqual([]);

    // 2. Publish it: the page, the API, RSS and the banner have it, investigating.
    state = await step(['publish', slug!], slug!, (next) => next.api.incidents.length > 0);
    expect(state.page).toContain('Chat nodes: partial outage');
    expect(state.api.incidents).toHaveLength(1);
    expect(state.api.incidents[0]!.status).toBe('investigating');
    expect(state.rss).toContain(slug!);
    expect(state.banner.banners.some((banner) => banner.id === slug && banner.kind === 'incident')).toBe(true);

    // 3. Three updates, one from standard input.
    const updates: Array<[string, string]> = [
      ['identified', 'The disk of chat node 2 is full: its old logs filled it.'],
      ['monitoring', 'Logs rotated and node 2 restarted; we are watching it.'],
      ['monitoring', 'Node 2 has been answering for five minutes.'],
    ];
    for (const [i, [status, message]] of updates.entries()) {
      const args = ['update', slug!, '--status', status, '--message', i === 1 ? '-' : message];
      state = await step(args, slug!, (next) => next.api.incidents[0]?.incident_updates.length === i + 2, i === 1 ? message : undefined);
      expect(state.page).toContain(message);
      expect(state.api.incidents[0]!.status).toBe(status);
      expect(state.api.incidents[0]!.incident_updates.map((update) => update.body)).toContain(message);
      expect(state.rss).toContain(message);
      expect(state.banner.banners.some((banner) => banner.id === slug)).toBe(true);
    }

    // 4. The node comes back; resolve: the API says resolved, the banner lets it go.
    expect((await statuspost(['demo', 'node', 'start', '2', '--root', root])).code).toBe(0);
    await demo.waitFor((line) => line.includes('check chat-2 is up: '), 'chat-2 up again');
    state = await step(['resolve', slug!, '--message', 'Node 2 has room again and has served every request since.'], slug!, (next) => next.api.incidents[0]?.status === 'resolved');
    expect(state.api.incidents[0]!.status).toBe('resolved');
    expect(state.api.incidents[0]!.incident_updates).toHaveLength(5);
    expect(state.rss).toContain('Node 2 has room again');
    expect(state.banner.banners.some((banner) => banner.id === slug)).toBe(false);

    // 5. The postmortem skeleton, measured: the outage's minutes come from the checks, not from us.
    const skeleton = JSON.parse(await run(['postmortem', slug!, '--json']));
    expect(skeleton.action).toBeDefined();
    const file = join(root, `content/incidents/${slug}.md`);
    const written = await readFile(file, 'utf8');
    expect(written).toMatch(/## Impact/);
    expect(written).toMatch(/partial outage/i);
    expect(written).toMatch(/## Timeline/);
    // Not published while its prompts are there: the engineer writes the three sections.
    const refused = await statuspost(['postmortem', slug!, '--publish', '--root', root]);
    expect(refused.code).toBe(1);
    const { POSTMORTEM_PLACEHOLDERS } = await import('../../src/postmortem/placeholders.ts');
    const answers = ['Node 2 stopped answering, so a third of the people signing in were sent to a node that was down.', 'Its disk filled with logs that were never rotated.', 'Logs now rotate daily, and a probe warns at 80% disk.'];
    let text = written.replace(/\s+\n/g, '\n');
    for (const [i, prompt] of POSTMORTEM_PLACEHOLDERS.entries()) text = text.replace(new RegExp(prompt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')), answers[i]!);
    await writeFile(file, text);
    state = await step(['postmortem', slug!, '--publish'], slug!, (next) => next.api.incidents[0]?.status === 'postmortem');
    expect(state.api.incidents[0]!.status).toBe('postmortem');
    expect(state.api.incidents[0]!.postmortem_body).toContain('Its disk filled with logs');
    expect(state.page).toContain('Its disk filled with logs');
    expect(state.page).toMatch(/<svg[^>]*impact-chart|class="impact-chart/);

    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
    const check = await statuspost(['check', '--root', root]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  }, 900_000);
});

