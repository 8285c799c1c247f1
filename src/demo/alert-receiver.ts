// The demo's own alert receiver: a webhook on loopback that the demo's daemon sends its alerts to, so
// a newcomer sees the loop without writing probes/notify.yaml. It does what a team's receiver would:
// checks the signature (a secret made for this run), reads statuspost's JSON body, and prints each
// event as one line of the demo's log ("alert received: Chat nodes: partial outage (critical)").
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ROUTE_EVENTS } from '../notify/config.ts';
import { SIGNATURE_HEADER, verifySignature, webhookTargetSchema } from '../notify/providers/webhook.ts';
import type { NotifyConfig, NotifyEventKind } from '../notify/types.ts';

export const DEMO_TARGET = 'demo-receiver';
/** Reminders every 2 minutes: often enough to see one in a demo, the reminders' minimum is 1. */
export const DEMO_REMIND_EVERY_MS = 2 * 60_000;
/** A request body larger than this is refused (the demo's alerts are a few kilobytes). */
const MAX_BODY = 1 << 20;

export interface ReceivedAlert {
  kind: string;
  severity: string;
  title: string;
  key: string;
  components: string[];
}

export interface AlertReceiver {
  url: string;
  /** Signs the daemon's requests; made for this run, never printed. */
  secret: string;
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 (any free port); `onAlert` gets each event of each request it accepts. */
export async function startAlertReceiver(onAlert: (alert: ReceivedAlert) => void): Promise<AlertReceiver> {
  const secret = randomBytes(32).toString('hex');
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) return void req.destroy();
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verifySignature(req.headers[SIGNATURE_HEADER] as string | undefined, body, secret, Math.floor(Date.now() / 1000))) {
        return void res.writeHead(401, { 'content-type': 'text/plain' }).end('bad signature\n');
      }
      let events: unknown;
      try {
        events = (JSON.parse(body) as { events?: unknown }).events;
      } catch {
        events = undefined; // not JSON: answered below
      }
      if (!Array.isArray(events)) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('expected statuspost webhook JSON\n');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      for (const event of events as Array<Record<string, unknown>>) {
        onAlert({
          kind: String(event.kind),
          severity: String(event.severity),
          title: String(event.title),
          key: String(event.key),
          components: Array.isArray(event.components) ? event.components.map((c: { id?: unknown }) => String(c.id)) : [],
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The demo's notify configuration: one signed webhook target (the receiver), one route for the
 * components' changes, reminders every 2 minutes, statuspost's own trouble and the incidents it drafts.
 */
export function demoNotifyConfig(receiver: Pick<AlertReceiver, 'url' | 'secret'>): NotifyConfig {
  const events: NotifyEventKind[] = DEFAULT_ROUTE_EVENTS.filter((kind) => kind === 'component' || kind === 'reminder' || kind === 'self' || kind === 'auto-incident');
  return {
    targets: [{ name: DEMO_TARGET, kind: 'webhook', config: webhookTargetSchema.parse({ url: receiver.url, secret: receiver.secret }) }],
    routes: [{ events, components: null, severities: null, targets: [DEMO_TARGET], remindEveryMs: DEMO_REMIND_EVERY_MS, resolved: true, duringMaintenance: 'silence' }],
    subscribers: [],
    subscriptions: null,
    groupWaitMs: 1_000,
    deadAfterMs: 10 * 60_000,
    tlsThresholdsDays: [14, 7, 3, 1],
  };
}
