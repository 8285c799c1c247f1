// Publish on change, as operators run it: the real bin probing a real loopback port, a real SQLite
// store, the site republished when the port goes down, when a post is added, and never replaced by
// a broken one; a restart resumes the outage instead of forgetting it.
import { mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daysAgo, utcDate, utcTime } from '../helpers/dates.ts';
import { startDaemonProcess } from '../helpers/daemon.ts';
import { freePort } from '../helpers/net.ts';
import { close, listen } from '../helpers/tcp-target.ts';
import { tempProject } from '../helpers/temp.ts';


async function project(port: number) {
  return tempProject({
    'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\nlocation: dc1\ntimezone: UTC\nstore:\n  engine: sqlite\n  path: data/history.db\n',
    'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n  - id: web\n    name: Website\n',
    'probes/checks/ports.yaml': `checks:\n  - id: chat-port\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: ${port}\n    schedule: 1s\n    timeout: 500ms\n    confirm: { down: 2, up: 1 }\n`,
    'content/incidents/.keep': '',
  });
}

const summary = async (root: string) => JSON.parse(await readFile(join(root, 'public-site/api/v2/summary.json'), 'utf8'));
const chatStatus = async (root: string) => (await summary(root)).components.find((c: { id: string }) => c.id === 'chat').status;

describe('statuspost run publishes on change', () => {
  it('republishes when a component goes down, when a post is added, never publishes a broken post, and resumes the outage on restart', async () => {
    const port = await freePort();
    let target = await listen(port);
    const root = await project(port);
    const daemon = startDaemonProcess(root, ['--out', 'public-site', '--flush-interval', '100', '--debounce', '200', '--after-publish', `echo "$1" >> '${root}/deployed.txt'`]);
    await daemon.waitFor((line) => line.event === 'published', 60_000);
    expect(await chatStatus(root)).toBe('operational');
    // The deploy hook ran with the folder just published.
    await daemon.waitFor((line) => line.event === 'after-publish', 30_000);
    const deployed = (await readFile(join(root, 'deployed.txt'), 'utf8')).trim().split('\n')[0]!;
    expect(deployed.startsWith(join(root, '.public-site.builds/'))).toBe(true);
    expect(await readFile(join(deployed, 'api/v2/summary.json'), 'utf8')).toContain('"page"');

    // The port goes away: two failures confirm it, and the site says so within seconds.
    await close(target);
    await daemon.waitFor((line) => line.event === 'published' && String(line.reason).includes('chat-port is down'), 60_000);
    expect(await chatStatus(root)).toBe('major_outage');
    expect((await summary(root)).status.indicator).not.toBe('none');
    const banner = JSON.parse(await readFile(join(root, 'public-site/banner.json'), 'utf8'));
    expect(banner.version).toBe(1);

    // A broken post: logged with its file and line; the published site stays as it was.
    const linkBefore = await readlink(join(root, 'public-site'));
    const published = daemon.lines.filter((l) => l.event === 'published').length;
    // Dated yesterday by the clock the test runs under: the loader checks the name's date.
    const day = daysAgo(1);
    await writeFile(join(root, `content/incidents/${day}-broken.md`), '---\ntitle: Broken\nimpact: huge\n---\n');
    // Every problem is logged, each with its file and line: the bad impact on line 3 among them.
    const invalid = await daemon.waitFor((line) => line.event === 'post-invalid' && line.line === 3, 30_000);
    expect(invalid).toMatchObject({ file: `content/incidents/${day}-broken.md` });
    expect(invalid.message).toContain('impact');
    // Status republishes may still happen with the last good posts; none of them carries the broken one.
    await new Promise((r) => setTimeout(r, 1_000));
    if (daemon.lines.filter((l) => l.event === 'published').length === published) expect(await readlink(join(root, 'public-site'))).toBe(linkBefore);

    // Fixed: the next good edit publishes it.
    const seen = daemon.lines.length;
    await writeFile(
      join(root, `content/incidents/${day}-broken.md`),
      `---\ntitle: Chat port refuses connections\nimpact: major\ntimezone: UTC\nstart: ${day}T10:00\ncomponents:\n  chat: major_outage\nupdates:\n  - at: ${day}T10:05\n    status: investigating\n    body: We are looking into it.\n  - at: ${day}T10:30\n    status: resolved\n    body: Fixed.\n---\n`,
    );
    // A publish of the broken state may still be under way (its build started before the fix):
    // what counts is that a publish after the fix carries the post.
    const page = join(root, `public-site/incidents/${day}-broken/index.html`);
    for (let i = 0; i < 300 && !(await readFile(page, 'utf8').catch(() => '')).includes('Chat port refuses connections'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await readFile(page, 'utf8')).toContain('Chat port refuses connections');
    expect(daemon.lines.findIndex((line) => line.event === 'published' && String(line.reason).includes('content/') && daemon.lines.indexOf(line) >= seen)).toBeGreaterThan(-1);

    // The heartbeat says what happened last.
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const beat = JSON.parse(await readFile(join(root, 'data/heartbeat.json'), 'utf8'));
    expect(beat.lastPublishAt).not.toBeNull();
    expect(beat.status).not.toBe('All Systems Operational');

    // Restarted while the port is still down: the first publish already shows the outage.
    const again = startDaemonProcess(root, ['--out', 'public-site', '--flush-interval', '100', '--debounce', '200']);
    const first = await again.waitFor((line) => line.event === 'published', 60_000);
    expect(first.status).not.toBe('none');
    expect(await chatStatus(root)).toBe('major_outage');
    target = await listen(port);
    await again.waitFor((line) => line.event === 'published' && String(line.reason).includes('chat-port is up'), 60_000);
    expect(await chatStatus(root)).toBe('operational');
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
    await close(target);
  }, 180_000);
});

describe('statuspost run publishes when the clock alone changes the site', () => {
  it('publishes a maintenance when it is announced, shows it in progress when its window starts, and completed when it ends', async () => {
    const port = await freePort();
    const target = await listen(port);
    const root = await project(port);
    await mkdir(join(root, 'content/maintenance'), { recursive: true });
    const daemon = startDaemonProcess(root, ['--out', 'public-site', '--flush-interval', '100', '--debounce', '200']);
    // The maintenance is written once the daemon has published, so no build is under way and the
    // one its arrival starts computes the site before the announcement, however busy the machine:
    // each of the three moments after it must then wake the publisher by itself.
    // The check's first result asks for a publish of its own: wait until one has shown it, so no
    // build is queued when the file arrives.
    await daemon.waitFor((line) => line.event === 'published' && String(line.reason).includes('chat-port is up'), 120_000);
    // Whole seconds from now (post times may carry seconds), 30 s apart: on a busy machine a build
    // takes up to ~15 s, and each state must be published before the next moment replaces it.
    const base = Math.ceil(Date.now() / 1000) * 1000;
    const at = (seconds: number) => utcTime(base + seconds * 1000);
    const announce = base + 30_000;
    const start = base + 60_000;
    const end = base + 90_000; // the "completed" update, written ahead of time, takes effect then
    const WITHIN_MS = 30_000;
    // The file name carries the window's start date (UTC here), as the loader requires: derived from
    // the clock, so the test runs on any day (and across midnight, on the start's side of it).
    const slug = `${utcDate(start)}-chat-restart`;
    const seen = daemon.lines.length;
    await writeFile(
      join(root, `content/maintenance/${slug}.md`),
      `---\ntitle: Chat servers restart\ntimezone: UTC\nannouncedAt: ${at(30)}\nwindow:\n  start: ${at(60)}\n  end: ${at(90)}\ncomponents: [chat]\naffected: Chat reconnects once.\nupdates:\n  - at: ${at(90)}\n    status: completed\n    body: Done.\n---\n`,
    );
    const read = async (path: string) => JSON.parse(await readFile(join(root, 'public-site', path), 'utf8'));
    const maintenanceIn = async (path: string) =>
      ((await read(path)).scheduled_maintenances as Array<{ id: string; status: string }>).find((m) => m.id === slug);
    const bannerEntry = async () => ((await read('banner.json')).banners as Array<{ id: string }>).find((b) => b.id.includes(slug));
    const chatStatusNow = async () => (await read('api/v2/summary.json')).components.find((c: { id: string }) => c.id === 'chat').status;
    // Polls the published site until `shows` holds, at most WITHIN_MS after `moment`: a publish that
    // began just before the moment still shows the old state, and the clock's own wake-up follows it.
    const publishedWithin = async (moment: number, what: string, shows: () => Promise<boolean>) => {
      for (;;) {
        if (Date.now() >= moment && (await shows().catch(() => false))) return;
        if (Date.now() > moment + WITHIN_MS) throw new Error(`${what}: not on the published site ${WITHIN_MS / 1000} s after its time`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    // The publish the new file started computed the site before it logged: if it logged before the
    // announcement, the notice must be nowhere on it.
    const loaded = await daemon.waitFor((line) => line.event === 'published' && daemon.lines.indexOf(line) >= seen, 60_000);
    if (Date.parse(loaded.time) >= announce) console.warn('clock test: the publish after the new file came too late to check the site before the announcement');
    else {
      expect(await maintenanceIn('api/v2/scheduled-maintenances.json')).toBeUndefined();
      expect(await bannerEntry()).toBeUndefined();
    }
    await publishedWithin(announce, 'the announcement', async () => (await maintenanceIn('api/v2/scheduled-maintenances/upcoming.json'))?.status === 'scheduled' && (await bannerEntry()) !== undefined);
    await publishedWithin(start, 'the window in progress', async () => (await maintenanceIn('api/v2/scheduled-maintenances/active.json'))?.status === 'in_progress' && (await chatStatusNow()) === 'under_maintenance' && (await bannerEntry()) !== undefined);
    await publishedWithin(end, 'the completed window', async () => (await maintenanceIn('api/v2/scheduled-maintenances.json'))?.status === 'completed' && (await chatStatusNow()) === 'operational' && (await bannerEntry()) === undefined);
    expect(await maintenanceIn('api/v2/scheduled-maintenances/active.json')).toBeUndefined();
    // Each of the three moments woke the publisher by itself: nothing else changed.
    // The site shows a publish a moment before the daemon logs it: wait for the third log line.
    const woken = (line: { event: string; reason?: unknown }) => line.event === 'published' && String(line.reason).includes("a post's time came");
    await daemon.waitFor(() => daemon.lines.filter(woken).length >= 3, 30_000).catch(() => undefined);
    const publishes = daemon.lines.filter((l) => ['published', 'publish-failed'].includes(l.event)).map((l) => `${l.time} ${l.event} (${String(l.reason ?? l.message)})`);
    expect(daemon.lines.filter(woken).length, `publishes:\n${publishes.join('\n')}`).toBeGreaterThanOrEqual(3);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    await close(target);
  }, 240_000);
});

describe('statuspost run --metrics', () => {
  it('serves Prometheus metrics on loopback: runs, failures, latency, buffer, with check ids and never a target', async () => {
    const port = await freePort(); // nothing listens: every run fails
    const root = await project(port);
    const daemon = startDaemonProcess(root, ['--metrics', '127.0.0.1:0', '--flush-interval', '100']);
    const announced = await daemon.waitFor((line) => line.event === 'metrics');
    await daemon.waitFor((line) => line.event === 'status' && line.status === 'down');
    const response = await fetch(String(announced.url));
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    const runs = Number(/^statuspost_checks_run_total\{check="chat-port",component="chat",kind="tcp"\} (\d+)$/m.exec(text)?.[1]);
    const failures = Number(/^statuspost_check_failures_total\{check="chat-port"[^}]*\} (\d+)$/m.exec(text)?.[1]);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(failures).toBe(runs);
    expect(text).toMatch(/^statuspost_check_up\{check="chat-port"[^}]*\} 0$/m);
    expect(text).toMatch(/^# TYPE statuspost_buffered_results gauge$/m);
    // Memory, split so that a slow rise can be placed: the JavaScript heap in use never exceeds what is reserved for it.
    const gauge = (name: string) => Number(new RegExp(`^statuspost_${name} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(gauge('heap_used_bytes')).toBeGreaterThan(0);
    expect(gauge('heap_used_bytes')).toBeLessThanOrEqual(gauge('heap_total_bytes'));
    expect(gauge('resident_memory_bytes')).toBeGreaterThan(gauge('heap_used_bytes'));
    expect(gauge('external_memory_bytes')).toBeGreaterThan(0);
    expect(text).not.toContain(String(port));
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  }, 60_000);
});

// Mounting a small tmpfs needs root: skipped with a reason elsewhere, a failure under CI.
const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.CI !== 'true') console.warn('skipping the disk-full publish test: mounting a tmpfs needs root');

describe.skipIf(!isRoot && process.env.CI !== 'true')('statuspost run when the publish disk is full', () => {
  it('keeps the old site, logs the error, goes on probing, and publishes once there is room again', async () => {
    const { execFileSync } = await import('node:child_process');
    const { rm, stat } = await import('node:fs/promises');
    const port = await freePort();
    const target = await listen(port);
    const root = await project(port);
    const disk = join(root, 'disk');
    await mkdir(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]);
    try {
      const daemon = startDaemonProcess(root, ['--out', 'disk/public-site', '--flush-interval', '100', '--debounce', '200', '--publish-retry', '1000']);
      await daemon.waitFor((line) => line.event === 'published', 60_000);
      const before = await readlink(join(disk, 'public-site'));
      // Fill the disk to the last byte.
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(disk, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
      } catch {
        // dd stops with ENOSPC: the disk is full, which is the point
      }
      const day = daysAgo(1);
      await writeFile(join(root, `content/incidents/${day}-disk.md`), `---\ntitle: Disk test\nimpact: minor\ntimezone: UTC\nstart: ${day}T10:00\ncomponents:\n  chat: degraded_performance\nupdates:\n  - at: ${day}T10:05\n    status: resolved\n    body: Fine.\n---\n`);
      const failed = await daemon.waitFor((line) => line.event === 'publish-failed', 60_000);
      expect(failed.message).toMatch(/ENOSPC|no space/i);
      expect(await readlink(join(disk, 'public-site'))).toBe(before);
      expect((await stat(join(disk, 'public-site/api/v2/summary.json'))).size).toBeGreaterThan(0);
      const recorded = daemon.lines.filter((l) => l.event === 'recorded').length;
      await rm(join(disk, 'filler'));
      await daemon.waitFor((line) => line.event === 'published' && daemon.lines.indexOf(line) > daemon.lines.indexOf(failed), 60_000);
      expect(await readFile(join(disk, `public-site/incidents/${day}-disk/index.html`), 'utf8')).toContain('Disk test');
      expect(daemon.lines.filter((l) => l.event === 'recorded').length).toBeGreaterThan(recorded); // probing went on
      daemon.child.kill('SIGTERM');
      expect((await daemon.exited).code).toBe(0);
    } finally {
      execFileSync('umount', ['-l', disk]);
      await close(target);
    }
  }, 120_000);
});
