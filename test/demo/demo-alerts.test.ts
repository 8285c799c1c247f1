// The demo shows the alert loop: `statuspost demo` starts its own webhook receiver on loopback and
// prints each alert it receives in its log. A node stopped from another shell gives exactly one
// alert for the chat nodes; started again, the resolution arrives.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { statuspost } from '../helpers/cli.ts';
import { startDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

const chatAlert = (line: string) => line.includes('alert received: Chat nodes: partial outage (critical)');
const chatResolved = (line: string) => line.includes('alert received: Chat nodes: operational again (resolved)');

describe('statuspost demo shows alerts arriving', () => {
  it('a node stopped: one alert line for the chat nodes; started again: the resolution', async () => {
    const root = await tempDir('statuspost-demo-alerts-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    // The chat nodes' checks every 2 s instead of 30 s, so the outage is confirmed within seconds.
    const nodes = join(root, 'probes/checks/nodes.yaml');
    await writeFile(nodes, (await readFile(nodes, 'utf8')).replaceAll('schedule: 30s', 'schedule: 2s'));
    const demo = startDemo(root);
    const said = await demo.waitFor((line) => line.startsWith("Alerts go to the demo's own webhook receiver"), 'the receiver announced');
    expect(said).toMatch(/\(http:\/\/127\.0\.0\.1:\d+\/alerts\)/);
    expect(said).toContain('a reminder every 2 minutes');
    await demo.waitFor((line) => line === 'Press Ctrl-C to stop.', 'the demo serving its site');
    expect(demo.lines.filter((line) => line.includes('alert received: Chat nodes'))).toEqual([]);

    const stopped = await statuspost(['demo', 'node', 'stop', '2', '--root', root]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await demo.waitFor(chatAlert, 'the alert for the chat nodes');
    // The outage stays while chat-2's check keeps failing (every 2 s): no alert per result.
    await demo.waitFor((line) => line.includes('published (') && line.includes('check chat-2 is down'), 'the outage published');

    const started = await statuspost(['demo', 'node', 'start', '2', '--root', root]);
    expect(started.code, started.stderr).toBe(0);
    await demo.waitFor(chatResolved, 'the resolution for the chat nodes');
    await demo.waitFor((line) => line.includes('published (') && line.includes('check chat-2 is up'), 'the recovery published');

    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
    // Counted once the demo has stopped, so a late duplicate would be in the output too.
    const chatLines = demo.lines.filter((line) => line.includes('alert received: Chat nodes'));
    expect(chatLines.filter(chatAlert)).toHaveLength(1);
    expect(chatLines.filter(chatResolved)).toHaveLength(1);
    expect(chatLines).toHaveLength(2);
    expect(demo.lines.some((line) => line.includes('notify-dead') || line.includes('gave up sending'))).toBe(false);
  }, 420_000);
});
