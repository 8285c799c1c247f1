// The demo drafts an incident for a node's outage: `statuspost demo node stop 2` gives exactly one
// draft under content/incidents/ however often the node flaps, valid for `statuspost check`, alerted
// to the demo's own receiver once, and in no file of the published site.
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { statuspost } from '../helpers/cli.ts';
import { startDemo } from '../helpers/demo.ts';
import { publishedTexts } from '../helpers/published.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const draftedLine = (line: string) => line.includes(' drafted incident content/incidents/');
const draftAlert = (line: string) => line.includes('alert received: Incident drafted: Chat nodes: partial outage (info)');


describe('statuspost demo drafts an incident for a node outage', () => {
  it('a node stopped and flapping: exactly one draft, valid, alerted once, published nowhere', async () => {
    const root = await tempDir('statuspost-demo-autodraft-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    // The chat nodes' checks every 2 s instead of 30 s, so the outage is confirmed within seconds.
    const nodes = join(root, 'probes/checks/nodes.yaml');
    await writeFile(nodes, (await readFile(nodes, 'utf8')).replaceAll('schedule: 30s', 'schedule: 2s'));
    const demo = startDemo(root);
    await demo.waitFor((line) => line === 'Press Ctrl-C to stop.', 'the demo serving its site');

    const stopped = await statuspost(['demo', 'node', 'stop', '2', '--root', root]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const drafted = await demo.waitFor(draftedLine, 'the draft written');
    const file = /drafted incident (content\/incidents\/\S+\.md) for chat-nodes: partial_outage; publish with `statuspost publish (\S+)`/.exec(drafted);
    expect(file, drafted).not.toBeNull();
    const [, path, slug] = file!;
    expect(path).toBe(`content/incidents/${slug}.md`);

    // The node flaps three times while the outage lasts. The check's own status line ends in a colon
    // and its message; a publish names the same change in its reasons, and may come later.
    for (let flap = 0; flap < 3; flap++) {
      let from = demo.lines.length;
      expect((await statuspost(['demo', 'node', 'start', '2', '--root', root])).code).toBe(0);
      await demo.waitFor((line) => line.includes('check chat-2 is up: '), 'chat-2 up again', 120_000, from);
      from = demo.lines.length;
      expect((await statuspost(['demo', 'node', 'stop', '2', '--root', root])).code).toBe(0);
      await demo.waitFor((line) => line.includes('check chat-2 is down: '), 'chat-2 down again', 120_000, from);
    }
    await demo.waitFor(draftAlert, 'the alert for the draft');
    const publishedAfter = demo.lines.findIndex(draftedLine);
    await demo.waitFor((line) => line.includes('published (') && line.includes('content/ changed'), 'a publish after the draft', 180_000, publishedAfter);

    // Valid, listed as a draft.
    const checked = await statuspost(['check', '--root', root, '--json']);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout).drafts).toEqual([{ slug, file: path, kind: 'incident', title: 'Chat nodes: partial outage' }]);
    // In no published file.
    const texts = await publishedTexts(join(root, 'public-site'));
    expect(texts.size).toBeGreaterThan(10);
    // Its slug and its update are nowhere (the title is also the component's status words, which
    // the badge and the pages show rightly); the API lists no incident at all.
    for (const [where, text] of texts) {
      expect(text.includes(slug!), where).toBe(false);
      expect(text.includes('We are investigating reports of a problem'), where).toBe(false);
    }
    const api = [...texts].find(([where]) => where.endsWith('/api/v2/incidents.json'));
    expect(api, 'api/v2/incidents.json').toBeDefined();
    expect(JSON.parse(api![1]).incidents).toEqual([]);

    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
    // Counted once the demo has stopped, so a late duplicate would be counted too.
    expect((await readdir(join(root, 'content/incidents'))).filter((name) => name.endsWith('.md'))).toEqual([`${slug}.md`]);
    expect(demo.lines.filter(draftedLine)).toHaveLength(1);
    expect(demo.lines.filter(draftAlert)).toHaveLength(1);
    expect(await readFile(join(root, path!), 'utf8')).toContain('draft: true');
  }, 600_000);
});
