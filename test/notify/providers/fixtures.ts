// Messages and targets for the providers' tests. Times derive from one fixed instant: rendering is
// pure (time is in the events), so the expected files hold whatever this instant makes of them,
// on any day the tests run.
import type { NotifyEvent, OutgoingMessage } from '../../../src/notify/types.ts';

/** 2026-01-15T09:30:00Z. Any instant would do; it need not be near today. */
export const EPOCH = Date.UTC(2026, 0, 15, 9, 30, 0);
const MIN = 60_000;

export const SITE = { name: 'Chat Company Status', url: 'https://status.chat.example/' };
const nodesUrl = 'https://status.chat.example/components/chat-nodes/';
const incidentKey = `component:chat-nodes:${EPOCH}`;

const downEvent: NotifyEvent = {
  key: `component:chat-nodes:${EPOCH}:major_outage`,
  kind: 'component',
  audience: 'operators',
  severity: 'critical',
  at: EPOCH,
  createdAt: EPOCH + 95_000,
  title: 'Chat nodes: major outage',
  text: 'All three chat nodes stopped answering their health check at 09:30 UTC. Users cannot send or receive messages.',
  components: [{ id: 'chat-nodes', name: 'Chat nodes', status: 'major_outage', previous: 'operational', url: nodesUrl }],
  checks: [
    { id: 'node-1-http', status: 'down', message: 'connection refused' },
    { id: 'node-2-http', status: 'down', message: 'no response headers within 5000 ms' },
  ],
  url: nodesUrl,
  incidentKey,
};

const checkEvents: NotifyEvent[] = Array.from({ length: 10 }, (_, index) => {
  const n = index + 1;
  return {
    key: `check:node-${n}-http:${EPOCH + index * 1000}:down`,
    kind: 'check',
    audience: 'operators',
    severity: n <= 3 ? 'critical' : 'warning',
    at: EPOCH + index * 1000,
    createdAt: EPOCH + 60_000 + index * 1000,
    title: `node-${n}-http: down`,
    text: n <= 3 ? `Chat node ${n} refuses connections.` : `Chat node ${n} answers slower than 2 s.`,
    components: [{ id: 'chat-nodes', name: 'Chat nodes', status: 'partial_outage', previous: 'operational', url: nodesUrl }],
    checks: [{ id: `node-${n}-http`, status: n <= 3 ? 'down' : 'degraded', message: n <= 3 ? 'connection refused' : 'slow: answered in 2380 ms (limit 2000 ms)' }],
    url: nodesUrl,
    incidentKey,
  };
});

const resolvedEvent: NotifyEvent = {
  key: `component:chat-nodes:${EPOCH + 42 * MIN}:operational`,
  kind: 'component',
  audience: 'operators',
  severity: 'resolved',
  at: EPOCH + 42 * MIN,
  createdAt: EPOCH + 43 * MIN,
  title: 'Chat nodes: operational again',
  text: 'The chat nodes answer again since 10:12 UTC, after 42 minutes of major outage.',
  components: [{ id: 'chat-nodes', name: 'Chat nodes', status: 'operational', previous: 'major_outage', url: nodesUrl }],
  checks: [],
  url: nodesUrl,
  incidentKey,
};

const tlsEvent: NotifyEvent = {
  key: `tls-expiry:api-tls:${EPOCH}:7`,
  kind: 'tls-expiry',
  audience: 'operators',
  severity: 'warning',
  at: EPOCH,
  createdAt: EPOCH,
  title: 'Certificate of api.chat.example expires in 7 days',
  text: 'The certificate served at api.chat.example:443 expires on 2026-01-22 09:30 UTC. Renew it before then, or the API and the apps stop working.',
  components: [{ id: 'api', name: 'API', status: 'operational', url: 'https://status.chat.example/components/api/' }],
  checks: [{ id: 'api-tls', status: 'degraded', message: 'certificate expires in 7 days' }],
  incidentKey: 'tls-expiry:api-tls',
};

const postEvent: NotifyEvent = {
  key: 'post:2026-01-15-redis-failure:update-2',
  kind: 'post',
  audience: 'subscribers',
  severity: 'warning',
  at: EPOCH + 20 * MIN,
  createdAt: EPOCH + 20 * MIN + 4000,
  title: 'Sign-in failures: identified',
  text: 'We found the cause: the session store reached its connection limit. We are raising the limit and restarting the sign-in service.',
  components: [{ id: 'sign-in', name: 'Sign-in', status: 'partial_outage', previous: 'operational', url: 'https://status.chat.example/components/sign-in/' }],
  url: 'https://status.chat.example/incidents/2026-01-15-redis-failure/',
  incidentKey: 'post:2026-01-15-redis-failure',
  post: { id: '2026-01-15-redis-failure', kind: 'incident', status: 'identified', updateId: 'update-2' },
};

const autoIncidentEvent: NotifyEvent = {
  key: `auto-incident:2026-01-15-chat-nodes-major-outage:${EPOCH}`,
  kind: 'auto-incident',
  audience: 'operators',
  severity: 'info',
  at: EPOCH,
  createdAt: EPOCH + 96_000,
  title: 'Incident drafted: Chat nodes: major outage',
  text: 'statuspost drafted an incident for the outage its probes measured since Thu, Jan 15, 2026, 09:30 AM UTC (Chat nodes: major outage): content/incidents/2026-01-15-chat-nodes-major-outage.md.\nNothing is published until you run `statuspost publish 2026-01-15-chat-nodes-major-outage`; delete the file if it is not an incident.',
  components: [{ id: 'chat-nodes', name: 'Chat nodes', status: 'major_outage', url: nodesUrl }],
  url: nodesUrl,
  incidentKey,
};

const message = (idempotencyKey: string, events: NotifyEvent[], target = 'ops'): OutgoingMessage => ({
  idempotencyKey,
  target,
  events,
  site: SITE,
});

export const CASES: Record<string, OutgoingMessage> = {
  'one-down': message('msg-3f1c0a9d', [downEvent]),
  'ten-checks': message('msg-8b22e7f4', checkEvents),
  resolution: message('msg-51d0c6ab', [resolvedEvent]),
  'tls-expiry': message('msg-c0a7e913', [tlsEvent]),
  'subscriber-post': message('msg-9e4f2d10', [postEvent], 'subscriber:17'),
  'auto-incident': message('msg-6a0d3b57', [autoIncidentEvent]),
};

/** Targets as probes/notify.yaml gives them after ${ENV} expansion (before the schema's defaults). */
export const TARGETS: Record<string, unknown> = {
  webhook: { url: 'https://hooks.chat.example/statuspost', secret: 'whsec-test-0123456789abcdef' },
  slack: { url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX' },
  mattermost: { url: 'https://chat.example/hooks/xn9k3q8w7e6r5t4y', channel: 'ops-alerts', username: 'statuspost' },
  teams: { url: 'https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=XXXX' },
  discord: { url: 'https://discord.com/api/webhooks/123456789/XXXXXXXXXXXX' },
  ntfy: { topic: 'chat-ops-7f3k2', token: 'tk_testtoken0000000000000000000' },
  pagerduty: { routingKey: '0123456789abcdef0123456789abcdef' },
  email: {
    host: 'smtp.chat.example',
    user: 'alerts',
    password: 'smtp-password-0123456789',
    from: 'Chat Company Status <status@chat.example>',
    to: ['oncall@chat.example', 'noc@chat.example'],
  },
};

/** The kinds that send an HTTP request (all but email, which sends a mail). */
export const HTTP_KINDS = ['webhook', 'slack', 'mattermost', 'teams', 'discord', 'ntfy', 'pagerduty'] as const;
