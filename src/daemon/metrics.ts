// The daemon's own health for Prometheus (text exposition format 0.0.4), on a loopback address when
// asked: checks run and failed, probe latency, publish time and failures, results waiting in memory.
// Labels are check ids only: never a target.
import { createServer, type Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { Check } from '../probes/registry.ts';
import type { CheckResult } from '../probes/types.ts';

interface PerCheck {
  /** The label set, escaped once: a scrape writes it five times per check. */
  labels: string;
  runs: number;
  failures: number;
  latencySum: number;
  latencyCount: number;
  up: number;
}

export interface Metrics {
  observe(check: Check, result: CheckResult): void;
  render(gauges: {
    buffered: number;
    published: number;
    publishFailed: number;
    lastPublishSeconds: number | null;
    lastPublishAt: number | null;
    /** The alert sender's counts, when probes/notify.yaml is there. */
    notify?: { sent: number; failed: number; dead: number; duplicates: number; pending: number } | undefined;
  }): string;
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function createMetrics(): Metrics {
  const checks = new Map<string, PerCheck>();
  // Event-loop delay: how late timers fire, so a probe's own measurements can be trusted.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  return {
    observe(check, result) {
      let entry = checks.get(check.id);
      if (!entry) {
        const labels = `{check="${escapeLabel(check.id)}",component="${escapeLabel(check.component)}",kind="${escapeLabel(check.kind)}"}`;
        checks.set(check.id, (entry = { labels, runs: 0, failures: 0, latencySum: 0, latencyCount: 0, up: 0 }));
      }
      entry.runs++;
      if (result.status === 'down') entry.failures++;
      if (result.latencyMs !== null) {
        entry.latencySum += result.latencyMs / 1000;
        entry.latencyCount++;
      }
      entry.up = result.status === 'up' ? 1 : result.status === 'degraded' ? 0.5 : 0;
    },
    render(g) {
      const lines: string[] = [];
      const family = (name: string, type: string, help: string, rows: Array<[string, number]>) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [labels, value] of rows) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
      };
      const rows = (pick: (e: PerCheck) => number) => [...checks.values()].map((e) => [e.labels, pick(e)] as [string, number]);
      family('statuspost_checks_run_total', 'counter', 'Probe runs, by check.', rows((e) => e.runs));
      family('statuspost_check_failures_total', 'counter', 'Probe runs that found the target down, by check.', rows((e) => e.failures));
      family('statuspost_check_up', 'gauge', 'Last result: 1 up, 0.5 degraded, 0 down.', rows((e) => e.up));
      family('statuspost_probe_latency_seconds_sum', 'counter', 'Sum of measured probe latencies.', rows((e) => e.latencySum));
      family('statuspost_probe_latency_seconds_count', 'counter', 'Probe runs that measured a latency.', rows((e) => e.latencyCount));
      family('statuspost_buffered_results', 'gauge', 'Results waiting in memory for the store.', [['', g.buffered]]);
      family('statuspost_publishes_total', 'counter', 'Site publishes, by result.', [['{result="ok"}', g.published], ['{result="failed"}', g.publishFailed]]);
      if (g.notify) {
        const n = g.notify;
        family('statuspost_notify_sent_total', 'counter', 'Alert deliveries sent (one per event and target).', [['', n.sent]]);
        family('statuspost_notify_failed_total', 'counter', 'Alert send attempts that failed (each retry counts).', [['', n.failed]]);
        family('statuspost_notify_dead_total', 'counter', 'Alert deliveries given up (dead letters).', [['', n.dead]]);
        family('statuspost_notify_possible_duplicates_total', 'counter', 'Alert deliveries sent again after a crash interrupted their sending.', [['', n.duplicates]]);
        family('statuspost_notify_pending', 'gauge', 'Alert deliveries waiting in the outbox.', [['', n.pending]]);
      }
      if (g.lastPublishSeconds !== null) family('statuspost_publish_duration_seconds', 'gauge', 'How long the last publish took.', [['', g.lastPublishSeconds]]);
      family('statuspost_event_loop_delay_p99_seconds', 'gauge', 'Event-loop delay, 99th percentile since the last scrape.', [['', loop.percentile(99) / 1e9]]);
      // The usual split of a Node process's memory, so a slow rise can be placed: the JavaScript heap,
      // memory held by C++ objects bound to JavaScript (sockets, buffers), or neither (native: SQLite,
      // the allocator).
      const memory = process.memoryUsage();
      family('statuspost_resident_memory_bytes', 'gauge', 'Resident set size of the daemon.', [['', memory.rss]]);
      family('statuspost_heap_used_bytes', 'gauge', 'JavaScript heap in use.', [['', memory.heapUsed]]);
      family('statuspost_heap_total_bytes', 'gauge', 'JavaScript heap reserved.', [['', memory.heapTotal]]);
      family('statuspost_external_memory_bytes', 'gauge', 'Memory of C++ objects bound to JavaScript, buffers included.', [['', memory.external]]);
      loop.reset();
      if (g.lastPublishAt !== null) family('statuspost_last_publish_timestamp_seconds', 'gauge', 'When the site was last published.', [['', g.lastPublishAt / 1000]]);
      return `${lines.join('\n')}\n`;
    },
  };
}

export async function serveMetrics(address: string, body: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) throw new Error(`--metrics wants HOST:PORT, e.g. 127.0.0.1:9464, not "${address}"`);
  const host = match[1]!.replace(/^\[|\]$/g, '');
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end('not found\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(match[2]), host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
