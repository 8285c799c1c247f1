// The demo's alert receiver takes what the real webhook provider sends it, signed with its secret,
// and nothing else: an unsigned or forged request is refused and prints nothing.
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEMO_REMIND_EVERY_MS, DEMO_TARGET, demoNotifyConfig, startAlertReceiver, type ReceivedAlert } from '../../src/demo/alert-receiver.ts';
import { signatureHeader, webhookProvider, type WebhookTarget } from '../../src/notify/providers/webhook.ts';
import type { NotifyEvent } from '../../src/notify/types.ts';

const event = (now: number): NotifyEvent => ({
  key: `component:chat-nodes:${now}:partial_outage`,
  kind: 'component',
  audience: 'operators',
  severity: 'critical',
  at: now,
  createdAt: now,
  title: 'Chat nodes: partial outage',
  text: 'Chat nodes are in partial outage.',
  components: [{ id: 'chat-nodes', name: 'Chat nodes', status: 'partial_outage', previous: 'operational' }],
});

describe('the demo alert receiver', () => {
  it('prints what the webhook provider sends with its secret, and refuses unsigned or forged requests', async () => {
    const received: ReceivedAlert[] = [];
    const receiver = await startAlertReceiver((alert) => received.push(alert));
    onTestFinished(() => receiver.close());
    const notify = demoNotifyConfig(receiver);
    expect(notify.routes).toMatchObject([{ events: ['component', 'reminder', 'self', 'auto-incident'], targets: [DEMO_TARGET], remindEveryMs: DEMO_REMIND_EVERY_MS, resolved: true }]);
    const target = notify.targets[0]!.config as WebhookTarget;
    expect(target.url).toBe(receiver.url);

    const now = Date.now();
    const message = { idempotencyKey: 'k1', target: DEMO_TARGET, events: [event(now)], site: { name: 'Chat status', url: null } };
    const request = webhookProvider.render(message, target);
    if (request.type !== 'http') throw new Error('expected an HTTP request');
    const sent = await webhookProvider.send(request, target, { timeoutMs: 10_000 });
    expect(sent).toMatchObject({ ok: true, code: 200 });
    expect(received).toEqual([{ kind: 'component', severity: 'critical', title: 'Chat nodes: partial outage', key: `component:chat-nodes:${now}:partial_outage`, components: ['chat-nodes'] }]);

    const post = (headers: Record<string, string>) => fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: request.body });
    expect((await post({})).status).toBe(401);
    expect((await post({ 'x-statuspost-signature': signatureHeader(request.body, 'not-the-secret-0123456789', Math.floor(Date.now() / 1000)) })).status).toBe(401);
    expect(received).toHaveLength(1);
  });
});
