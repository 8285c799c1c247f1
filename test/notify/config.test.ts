// probes/notify.yaml through the real loader: defaults, every problem at its file:line:column with a
// did-you-mean, and values from the environment that never appear in a message.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { formatError } from '../../src/errors.ts';
import { tempProject } from '../helpers/temp.ts';

const site = ['title: Chat status', 'baseUrl: https://status.example.org', ''].join('\n');
const components = ['components:', '  - id: cache', '    name: Cache', '  - id: chat', '    name: Chat nodes', ''].join('\n');

const SECRETS = {
  SMTP_PASSWORD: 'hunter2-smtp-password',
  PARTNER_WEBHOOK_URL: 'https://hooks.partner.example/statuspost',
  ONCALL: 'oncall@pager.example.org, second@pager.example.org',
  SUBSCRIBE_SECRET: 'c0ffee'.repeat(8),
};

async function load(notify: string | undefined, env: NodeJS.ProcessEnv = SECRETS) {
  const files: Record<string, string> = { 'probes/site.yaml': site, 'probes/components.yaml': components };
  if (notify !== undefined) files['probes/notify.yaml'] = notify;
  const root = await tempProject(files);
  return { root, ...(await loadConfig(root, env)) };
}

async function problemsOf(lines: string[], env: NodeJS.ProcessEnv = SECRETS) {
  const { problems } = await load(lines.join('\n'), env);
  return problems.map(formatError);
}

const mailTarget = [
  'targets:',
  '  ops-mail:',
  '    kind: email',
  '    host: smtp.internal.example',
  '    user: alerts',
  '    password: ${SMTP_PASSWORD}',
  '    from: "Status <status@example.org>"',
  '    to: ${ONCALL}',
];

describe('probes/notify.yaml', () => {
  it('is optional: without it notifications are off and nothing is wrong', async () => {
    const { config, problems, files } = await load(undefined);
    expect(problems).toEqual([]);
    expect(config?.notify).toBeUndefined();
    expect(files).not.toContain('probes/notify.yaml');
  });

  it('loads targets, routes with their defaults, subscribers and sign-ups, durations in ms', async () => {
    const { root, config, problems, files } = await load(
      [
        ...mailTarget,
        '    tls: { ca: certs/ca.pem }',
        'routes:',
        '  - targets: [ops-mail]',
        '    remindEvery: 1h',
        '  - targets: [ops-mail]',
        '    events: [tls-expiry, saturation]',
        '    components: [cache]',
        '    severities: [critical, warning]',
        '    resolved: false',
        '    duringMaintenance: alert',
        'subscribers:',
        '  ops-list:',
        '    channel: email',
        '    address: ops-list@example.org',
        '    components: [chat]',
        '  partner:',
        '    channel: webhook',
        '    address: ${PARTNER_WEBHOOK_URL}',
        '    format: statuspage',
        'subscriptions:',
        '  email:',
        '    target: ops-mail',
        '    secret: ${SUBSCRIBE_SECRET}',
        '    confirmWithin: 2d',
        'groupWait: 0s',
        'tlsReminderDays: [3, 14, 7, 7]',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(files).toContain('probes/notify.yaml');
    const notify = config!.notify!;
    expect(notify.targets).toEqual([
      {
        name: 'ops-mail',
        kind: 'email',
        config: expect.objectContaining({
          host: 'smtp.internal.example',
          port: 587,
          secure: false,
          pool: true,
          password: SECRETS.SMTP_PASSWORD,
          to: ['oncall@pager.example.org', 'second@pager.example.org'],
          tls: { rejectUnauthorized: true, ca: `${root}/certs/ca.pem` },
        }),
      },
    ]);
    expect(notify.routes).toEqual([
      {
        events: ['component', 'reminder', 'tls-expiry', 'saturation', 'self', 'auto-incident'],
        components: null,
        severities: null,
        targets: ['ops-mail'],
        remindEveryMs: 3_600_000,
        resolved: true,
        duringMaintenance: 'silence',
      },
      {
        events: ['tls-expiry', 'saturation'],
        components: ['cache'],
        severities: ['critical', 'warning'],
        targets: ['ops-mail'],
        remindEveryMs: null,
        resolved: false,
        duringMaintenance: 'alert',
      },
    ]);
    expect(notify.subscribers).toEqual([
      { name: 'ops-list', channel: 'email', address: 'ops-list@example.org', components: ['chat'], format: 'statuspost', via: 'ops-mail' },
      { name: 'partner', channel: 'webhook', address: 'https://hooks.partner.example/statuspost', components: null, format: 'statuspage', via: null },
    ]);
    expect(notify.subscriptions).toEqual({
      email: { target: 'ops-mail', from: 'Status <status@example.org>', secret: SECRETS.SUBSCRIBE_SECRET, confirmWithinMs: 2 * 86_400_000 },
    });
    expect(notify).toMatchObject({ groupWaitMs: 0, deadAfterMs: 86_400_000, tlsThresholdsDays: [14, 7, 3] });
    // The site's leak scan covers every secret, host and private address.
    for (const value of [SECRETS.SMTP_PASSWORD, SECRETS.SUBSCRIBE_SECRET, 'smtp.internal.example', 'oncall@pager.example.org', 'ops-list@example.org', 'https://hooks.partner.example/statuspost']) {
      expect(config!.privateValues).toContain(value);
    }
    expect(config!.privateValues).not.toContain('Status <status@example.org>');
  });

  it('takes a file of comments only as notifications configured with no target', async () => {
    const { config, problems } = await load(['# targets:', '#   ops-mail: { kind: email }', ''].join('\n'));
    expect(problems).toEqual([]);
    expect(config?.notify).toMatchObject({ targets: [], routes: [], subscribers: [], subscriptions: null, groupWaitMs: 1_000, tlsThresholdsDays: [14, 7, 3, 1] });
  });

  it('names each misspelt key, provider kind, target, event kind, severity and component, at its place, with a did-you-mean', async () => {
    const problems = await problemsOf([
      'grupWait: 2s', //                                       1
      'targets:', //                                           2
      '  ops-mail:', //                                        3
      '    kind: email', //                                    4
      '    hots: smtp.internal.example', //                    5
      '    from: status@example.org', //                       6
      '    to: [oncall@example.org]', //                       7
      '  pager:', //                                           8
      '    kind: emial', //                                    9
      'routes:', //                                            10
      '  - targets: [ops-mial]', //                            11
      '    events: [component, tls-expiri]', //                12
      '    components: [cahce]', //                            13
      '    severities: [critcal]', //                          14
      '    remindEvry: 1h', //                                 15
      '',
    ]);
    expect(problems).toEqual([
      'probes/notify.yaml:1:1  grupWait: unknown key "grupWait" [SP_CONFIG_INVALID]\n  hint: did you mean "groupWait"?',
      'probes/notify.yaml:4:5  targets.ops-mail.host: is required [SP_CONFIG_INVALID]',
      'probes/notify.yaml:5:5  targets.ops-mail.hots: unknown key "hots" [SP_CONFIG_INVALID]\n  hint: did you mean "host"?',
      'probes/notify.yaml:9:11  targets.pager.kind: unknown provider kind "emial" [SP_CONFIG_INVALID]\n  hint: did you mean "email"? kind must be one of webhook, slack, mattermost, teams, discord, ntfy, pagerduty, email',
      'probes/notify.yaml:11:15  routes.0.targets.0: unknown target "ops-mial" [SP_CONFIG_INVALID]\n  hint: did you mean "ops-mail"? targets: ops-mail, pager',
      'probes/notify.yaml:12:25  routes.0.events.1: unknown event kind "tls-expiri" [SP_CONFIG_INVALID]\n  hint: did you mean "tls-expiry"? event kinds: component, check, reminder, tls-expiry, saturation, self, auto-incident, post',
      'probes/notify.yaml:13:18  routes.0.components.0: unknown component "cahce" [SP_CONFIG_INVALID]\n  hint: did you mean "cache"? components: cache, chat',
      'probes/notify.yaml:14:18  routes.0.severities.0: unknown severity "critcal" [SP_CONFIG_INVALID]\n  hint: did you mean "critical"? severities: critical, warning, info, resolved',
      'probes/notify.yaml:15:5  routes.0.remindEvry: unknown key "remindEvry" [SP_CONFIG_INVALID]\n  hint: did you mean "remindEvery"?',
    ]);
  });

  it('points a misspelt HTTP kind to the nearest of the eight, and checks an HTTP target with its provider\'s schema', async () => {
    const env = { ...SECRETS, SLACK_URL: 'https://hooks.slack.com/services/T0/B0/x', HOOK_URL: 'https://hooks.example.org/statuspost', HOOK_SECRET: 'whsec-0123456789abcdef' };
    const problems = await problemsOf(
      [
        'targets:', //                                                  1
        '  chat: { kind: slakc, url: "${SLACK_URL}" }', //              2
        '  page: { kind: pagerdutty, routingKey: "${SLACK_URL}" }', //  3
        '  room: { kind: Teams, url: "${SLACK_URL}" }', //              4
        '  hook:', //                                                   5
        '    kind: webhook', //                                         6
        '    url: ${HOOK_URL}', //                                      7
        '    secrte: ${HOOK_SECRET}', //                                8
        '',
      ],
      env,
    );
    const kinds = 'kind must be one of webhook, slack, mattermost, teams, discord, ntfy, pagerduty, email';
    expect(problems).toEqual([
      `probes/notify.yaml:2:17  targets.chat.kind: unknown provider kind "slakc" [SP_CONFIG_INVALID]\n  hint: did you mean "slack"? ${kinds}`,
      `probes/notify.yaml:3:17  targets.page.kind: unknown provider kind "pagerdutty" [SP_CONFIG_INVALID]\n  hint: did you mean "pagerduty"? ${kinds}`,
      `probes/notify.yaml:4:17  targets.room.kind: unknown provider kind "Teams" [SP_CONFIG_INVALID]\n  hint: did you mean "teams"? ${kinds}`,
      'probes/notify.yaml:8:5  targets.hook.secrte: unknown key "secrte" [SP_CONFIG_INVALID]\n  hint: did you mean "secret"?',
    ]);
    // A kind nothing is near gets the list alone, not a far-fetched guess.
    expect(await problemsOf(['targets:', '  x: { kind: matrix }', ''])).toEqual([`probes/notify.yaml:2:14  targets.x.kind: unknown provider kind "matrix" [SP_CONFIG_INVALID]\n  hint: ${kinds}`]);
  });

  it('keeps durations within their bounds, as the rest of probes/ does', async () => {
    const problems = await problemsOf([
      ...mailTarget,
      'routes:',
      '  - targets: [ops-mail]',
      '    remindEvery: 30s',
      '  - targets: [ops-mail]',
      '    remindEvery: 8d',
      'groupWait: 2m',
      'deadAfter: 10',
      '',
    ]);
    expect(problems).toEqual([
      'probes/notify.yaml:11:18  routes.0.remindEvery: must be between 1m and 7d, not "30s" [SP_CONFIG_INVALID]\n  hint: reminders more often than once a minute are noise, and one a week still says it is down',
      'probes/notify.yaml:13:18  routes.1.remindEvery: must be between 1m and 7d, not "8d" [SP_CONFIG_INVALID]\n  hint: reminders more often than once a minute are noise, and one a week still says it is down',
      'probes/notify.yaml:14:12  groupWait: must be between 0s and 1m, not "2m" [SP_CONFIG_INVALID]\n  hint: an alert held longer than a minute is a late alert; 0 sends each change on its own',
      'probes/notify.yaml:15:12  deadAfter: must be a duration with a unit, e.g. 10s or 250ms [SP_CONFIG_INVALID]',
    ]);
  });

  it('refuses hostile shapes with a position, never a crash', async () => {
    expect(await problemsOf(['targets: [ops-mail]', 'routes: {targets: ops-mail}', ''])).toEqual([
      'probes/notify.yaml:1:10  targets: must be a map of names to their settings, e.g. ops-mail: { kind: email, … } [SP_CONFIG_INVALID]',
      'probes/notify.yaml:2:9  routes: must be a list, not a map of keys [SP_CONFIG_INVALID]',
    ]);
    expect(await problemsOf(['targets:', '  ops-mail: smtp.example.org', '  Ops_Mail: { kind: email }', '  pager: {}', ''])).toEqual([
      'probes/notify.yaml:2:13  targets.ops-mail: must be a map of keys with a kind [SP_CONFIG_INVALID]\n  hint: e.g. ops-mail: { kind: email, host: smtp.example.org, from: status@example.org, to: [oncall@example.org] }',
      'probes/notify.yaml:3:3  targets: "Ops_Mail" is not a valid target name [SP_CONFIG_INVALID]\n  hint: names are lowercase letters, digits and dashes, e.g. ops-mail',
      'probes/notify.yaml:4:10  targets.pager.kind: is required [SP_CONFIG_INVALID]\n  hint: kind must be one of webhook, slack, mattermost, teams, discord, ntfy, pagerduty, email',
    ]);
    expect(await problemsOf(['targets:', '  a: { kind: email }', '  a: { kind: email }', ''])).toEqual([
      expect.stringMatching(/^probes\/notify\.yaml:3:3 {2}YAML syntax: Map keys must be unique.*\[SP_YAML_SYNTAX\]/),
    ]);
    expect(await problemsOf(['targets:', '  __proto__: { kind: email }', '  constructor: { kind: emial }', 'routes:', '  - targets: [toString]', ''])).toEqual([
      'probes/notify.yaml:2:3  targets: "__proto__" is not a valid target name [SP_CONFIG_INVALID]\n  hint: names are lowercase letters, digits and dashes, e.g. ops-mail',
      'probes/notify.yaml:3:24  targets.constructor.kind: unknown provider kind "emial" [SP_CONFIG_INVALID]\n  hint: did you mean "email"? kind must be one of webhook, slack, mattermost, teams, discord, ntfy, pagerduty, email',
      'probes/notify.yaml:5:15  routes.0.targets.0: unknown target "toString" [SP_CONFIG_INVALID]\n  hint: targets: constructor',
    ]);
    expect(await problemsOf(['- just', '- a list', ''])).toEqual(['probes/notify.yaml:1:1  (top level): must be a map of keys, not a list [SP_CONFIG_INVALID]']);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', ''];
    expect(await problemsOf(bomb)).toEqual([expect.stringMatching(/^probes\/notify\.yaml:3:\d+ {2}YAML aliases expand too far/)]);
  });

  it('wants a target used by a route to have addresses, and sign-ups and email subscribers to go through an email target', async () => {
    const env = { ...SECRETS, PARTNER_URL: 'ftp://x.example', CHATROOM_URL: 'https://hooks.slack.example/T0' };
    const problems = await problemsOf([
      'targets:', //                                           1
      '  quiet:', //                                           2
      '    kind: email', //                                    3
      '    host: smtp.internal.example', //                    4
      '    from: status@example.org', //                       5
      '  loud:', //                                            6
      '    kind: email', //                                    7
      '    host: smtp.internal.example', //                    8
      '    from: status@example.org', //                       9
      'routes:', //                                            10
      '  - targets: [quiet]', //                               11
      'subscribers:', //                                       12
      '  ops-list: { channel: email, address: not-an-address }', // 13
      '  partner: { channel: webhook, address: "${PARTNER_URL}", via: loud }', // 14
      '  chatroom: { channel: slack, address: "${CHATROOM_URL}", format: statuspage }', // 15
      'subscriptions:', //                                     16
      '  email:', //                                           17
      '    target: lood', //                                   18
      '    secret: ${SIGNUP_SECRET:-a-default-written-in-the-file-that-is-long}', // 19
      '',
    ], env);
    expect(problems).toEqual([
      'probes/notify.yaml:11:15  routes.0.targets.0: target "quiet" has no `to` addresses, so its alerts would reach no one [SP_CONFIG_INVALID]\n  hint: add `to: [oncall@example.org]` to the target at probes/notify.yaml:3:5',
      'probes/notify.yaml:13:13  subscribers.ops-list: subscriber "ops-list" needs an email target to send through [SP_CONFIG_INVALID]\n  hint: name one with via: quiet or loud',
      'probes/notify.yaml:13:40  subscribers.ops-list.address: "not-an-address" is not an email address [SP_CONFIG_INVALID]\n  hint: e.g. address: ops-list@example.org',
      'probes/notify.yaml:14:41  subscribers.partner.address: (the value of ${PARTNER_URL}) is not an http(s) URL [SP_CONFIG_INVALID]\n  hint: a webhook subscriber\'s address is its webhook URL; write it as ${PARTNER_WEBHOOK_URL}',
      'probes/notify.yaml:14:64  subscribers.partner.via: only email subscribers are sent through a target [SP_CONFIG_INVALID]\n  hint: a webhook subscriber is sent to its address directly; leave via out',
      'probes/notify.yaml:15:67  subscribers.chatroom.format: only webhook subscribers take a format [SP_CONFIG_INVALID]\n  hint: leave it out, or make the channel webhook',
      'probes/notify.yaml:18:13  subscriptions.email.target: unknown target "lood" [SP_CONFIG_INVALID]\n  hint: did you mean "loud"? targets: quiet, loud',
      "probes/notify.yaml:19:13  subscriptions.email.secret: must come from the environment [SP_CONFIG_INVALID]\n  hint: write it as secret: ${SUBSCRIBE_SECRET} (no default in the file) and set SUBSCRIBE_SECRET in statuspost's environment; it signs every confirmation and unsubscribe link",
    ]);
  });

  it('never prints a value from the environment, however it is wrong', async () => {
    const env = {
      SMTP_PASSWORD: 'hunter2-smtp-password',
      SMTP_PORT: 'port-is-secret-text',
      ONCALL: 'oncall-secret-not-an-address',
      ROUTE_TARGET: 'secret-target-name',
      KIND: 'secret-kind-name',
      SUBSCRIBE_SECRET: 'too-short-secret',
      PARTNER: 'secret-partner-not-a-url',
    };
    const { problems } = await load(
      [
        'targets:',
        '  ops-mail:',
        '    kind: email',
        '    host: smtp.internal.example',
        '    port: ${SMTP_PORT}',
        '    user: alerts',
        '    password: ${SMTP_PASSWORD}',
        '    from: ${SMTP_PASSWORD}',
        '    to: ${ONCALL}',
        '  other:',
        '    kind: ${KIND}',
        'routes:',
        '  - targets: ["${ROUTE_TARGET}"]',
        'subscribers:',
        '  partner: { channel: webhook, address: "${PARTNER}" }',
        'subscriptions:',
        '  email: { target: ops-mail, secret: "${SUBSCRIBE_SECRET}" }',
        '',
      ].join('\n'),
      env,
    );
    const printed = problems.map(formatError);
    expect(printed).toEqual([
      'probes/notify.yaml:5:11  targets.ops-mail.port: must be a port number, 1 to 65535 (the value of ${SMTP_PORT}) [SP_CONFIG_INVALID]',
      'probes/notify.yaml:8:11  targets.ops-mail.from: must be an email address, e.g. status@example.org or "Status <status@example.org>" (the value of ${SMTP_PASSWORD}) [SP_CONFIG_INVALID]',
      'probes/notify.yaml:9:9  targets.ops-mail.to.0: must be an email address, e.g. status@example.org or "Status <status@example.org>" (the value of ${ONCALL}) [SP_CONFIG_INVALID]',
      'probes/notify.yaml:11:11  targets.other.kind: is not a provider kind (the value of ${KIND}) [SP_CONFIG_INVALID]\n  hint: kind must be one of webhook, slack, mattermost, teams, discord, ntfy, pagerduty, email',
      'probes/notify.yaml:13:15  routes.0.targets.0: unknown target (the value of ${ROUTE_TARGET}) [SP_CONFIG_INVALID]\n  hint: targets: ops-mail, other',
      'probes/notify.yaml:15:41  subscribers.partner.address: (the value of ${PARTNER}) is not an http(s) URL [SP_CONFIG_INVALID]\n  hint: a webhook subscriber\'s address is its webhook URL; write it as ${PARTNER_WEBHOOK_URL}',
      'probes/notify.yaml:17:38  subscriptions.email.secret: must be at least 32 characters (the value of ${SUBSCRIBE_SECRET}) [SP_CONFIG_INVALID]\n  hint: it signs the confirmation and unsubscribe links; make one with `openssl rand -hex 32`',
    ]);
    for (const value of Object.values(env)) for (const line of printed) expect(line).not.toContain(value);
  });

  it('refuses each provider\'s credentials written in the file, at the value, with the variable to set, never printing them', async () => {
    // Line by line: what an operator might paste into probes/notify.yaml (and so commit to git).
    const written = [
      'targets:', //                                                                                    1
      '  hook: { kind: webhook, url: "https://hooks.example.org/in/AAAA1111", secret: whsec-literal-0123456789 }', // 2
      '  chat: { kind: slack, url: "https://hooks.slack.com/services/T0/B0/BBBB2222" }', //            3
      '  mm: { kind: mattermost, url: "https://chat.example.org/hooks/CCCC3333" }', //                 4
      '  room: { kind: teams, url: "https://prod.example.logic.azure.com/workflows/DDDD4444" }', //    5
      '  disc: { kind: discord, url: "https://discord.com/api/webhooks/1/EEEE5555" }', //              6
      '  push: { kind: ntfy, url: "https://ntfy.example.org", topic: ffff6666-topic, token: tk_gggg7777 }', // 7
      '  page: { kind: pagerduty, routingKey: 0123456789abcdef0123456789HHHH88 }', //                  8
      '  ops-mail: { kind: email, host: smtp.example.org, user: alerts, password: iiii9999, from: status@example.org }', // 9
      'subscribers:', //                                                                                10
      '  partner: { channel: webhook, address: "https://hooks.partner.example/JJJJ0000" }', //         11
      '  team: { channel: slack, address: "https://hooks.slack.com/services/T1/B1/KKKK1111" }', //      12
      '  ops-list: { channel: email, address: ops-list@example.org, via: ops-mail }', //               13
      '',
    ];
    const { config, problems } = await load(written.join('\n'), {});
    const printed = problems.map(formatError);
    const refused = (at: string, path: string, key: string, variable: string, why: string) =>
      `probes/notify.yaml:${at}  ${path}: must come from the environment [SP_CONFIG_INVALID]\n  hint: write it as ${key}: \${${variable}} (no default in the file) and set ${variable} in statuspost's environment; ${why}`;
    const credential = (what: string) => `the ${what} is a credential, and probes/ is kept in git`;
    // One problem each (the generic one for keys named secret, token or password is not repeated);
    // a server's URL (ntfy), an SMTP host and user, and an email subscriber's address may be written.
    expect(printed).toEqual([
      refused('2:31', 'targets.hook.url', 'url', 'HOOK_URL', credential('webhook url')),
      refused('2:80', 'targets.hook.secret', 'secret', 'HOOK_SECRET', credential('webhook secret')),
      refused('3:29', 'targets.chat.url', 'url', 'CHAT_URL', credential('slack url')),
      refused('4:32', 'targets.mm.url', 'url', 'MM_URL', credential('mattermost url')),
      refused('5:29', 'targets.room.url', 'url', 'ROOM_URL', credential('teams url')),
      refused('6:31', 'targets.disc.url', 'url', 'DISC_URL', credential('discord url')),
      refused('7:63', 'targets.push.topic', 'topic', 'PUSH_TOPIC', credential('ntfy topic')),
      refused('7:86', 'targets.push.token', 'token', 'PUSH_TOKEN', credential('ntfy token')),
      refused('8:40', 'targets.page.routingKey', 'routingKey', 'PAGE_ROUTING_KEY', credential('pagerduty routingKey')),
      refused('9:76', 'targets.ops-mail.password', 'password', 'OPS_MAIL_PASSWORD', credential('email password')),
      refused('11:41', 'subscribers.partner.address', 'address', 'PARTNER_WEBHOOK_URL', "a webhook subscriber's URL is a credential, and probes/ is kept in git"),
      refused('12:36', 'subscribers.team.address', 'address', 'TEAM_SLACK_URL', "a slack subscriber's URL is a credential, and probes/ is kept in git"),
    ]);
    expect(config).toBeUndefined();
    for (const secret of ['AAAA1111', 'whsec-literal', 'BBBB2222', 'CCCC3333', 'DDDD4444', 'EEEE5555', 'ffff6666', 'gggg7777', 'HHHH88', 'iiii9999', 'JJJJ0000', 'KKKK1111']) {
      for (const line of printed) expect(line).not.toContain(secret);
    }

    // The same file with each credential from the environment (as each hint says) loads.
    const env = {
      HOOK_URL: 'https://hooks.example.org/in/AAAA1111',
      HOOK_SECRET: 'whsec-literal-0123456789',
      CHAT_URL: 'https://hooks.slack.com/services/T0/B0/BBBB2222',
      MM_URL: 'https://chat.example.org/hooks/CCCC3333',
      ROOM_URL: 'https://prod.example.logic.azure.com/workflows/DDDD4444',
      DISC_URL: 'https://discord.com/api/webhooks/1/EEEE5555',
      PUSH_TOPIC: 'ffff6666-topic',
      PUSH_TOKEN: 'tk_gggg7777',
      PAGE_ROUTING_KEY: '0123456789abcdef0123456789HHHH88',
      OPS_MAIL_PASSWORD: 'iiii9999',
      PARTNER_WEBHOOK_URL: 'https://hooks.partner.example/JJJJ0000',
      TEAM_SLACK_URL: 'https://hooks.slack.com/services/T1/B1/KKKK1111',
    };
    let fromEnv = written.join('\n');
    for (const [variable, value] of Object.entries(env)) fromEnv = fromEnv.replace(fromEnv.includes(`"${value}"`) ? `"${value}"` : value, `"\${${variable}}"`);
    for (const value of Object.values(env)) expect(fromEnv).not.toContain(value);
    const loaded = await load(fromEnv, env);
    expect(loaded.problems.map(formatError)).toEqual([]);
    const notify = loaded.config!.notify!;
    expect(notify.targets.map((target) => [target.name, target.kind])).toEqual([
      ['hook', 'webhook'], ['chat', 'slack'], ['mm', 'mattermost'], ['room', 'teams'], ['disc', 'discord'], ['push', 'ntfy'], ['page', 'pagerduty'], ['ops-mail', 'email'],
    ]);
    expect(notify.targets.find((target) => target.name === 'push')?.config).toEqual({ url: 'https://ntfy.example.org', topic: env.PUSH_TOPIC, token: env.PUSH_TOKEN });
    expect(notify.subscribers.map((subscriber) => [subscriber.name, subscriber.address])).toEqual([
      ['partner', env.PARTNER_WEBHOOK_URL], ['team', env.TEAM_SLACK_URL], ['ops-list', 'ops-list@example.org'],
    ]);
    expect(loaded.config!.privateValues).toEqual(expect.arrayContaining(Object.values(env)));
  });

  it('takes a value that mixes written text with a variable, and refuses a secret whose only source is a default or $${', async () => {
    const env = { SLACK_PATH: 'T0/B0/secretpart', NTFY_TOKEN: 'tk_fromtheenvironment', HOOK_URL: 'https://hooks.example.org/in' };
    const mixed = await load(['targets:', '  chat: { kind: slack, url: "https://hooks.slack.com/services/${SLACK_PATH}" }', ''].join('\n'), env);
    expect(mixed.problems.map(formatError)).toEqual([]);
    expect(mixed.config!.notify!.targets[0]!.config).toEqual({ url: `https://hooks.slack.com/services/${env.SLACK_PATH}` });
    // The variable's part is private, and so is the whole URL.
    expect(mixed.config!.privateValues).toEqual(expect.arrayContaining([env.SLACK_PATH, `https://hooks.slack.com/services/${env.SLACK_PATH}`]));

    const problems = await problemsOf(
      [
        'targets:', //                                                                                      1
        '  push: { kind: ntfy, topic: "${NTFY_TOPIC:-chat-ops-written}", token: "${NTFY_TOKEN:-tk_written}" }', // 2
        '  hook: { kind: webhook, url: "$${HOOK_URL}" }', //                                              3
        '  chat: { kind: slack, url: "https://hooks.slack.com/services/T0/B0/${NOT_SET:-written}" }', //  4
        '',
      ],
      env,
    );
    const hint = (key: string, variable: string, what: string) =>
      `  hint: write it as ${key}: \${${variable}} (no default in the file) and set ${variable} in statuspost's environment; the ${what} is a credential, and probes/ is kept in git`;
    // A default is in the file whether or not its variable is set (NTFY_TOKEN is); nothing written is shown.
    expect(problems).toEqual([
      `probes/notify.yaml:2:30  targets.push.topic: must come from the environment [SP_CONFIG_INVALID]\n${hint('topic', 'PUSH_TOPIC', 'ntfy topic')}`,
      `probes/notify.yaml:2:72  targets.push.token: must come from the environment [SP_CONFIG_INVALID]\n${hint('token', 'PUSH_TOKEN', 'ntfy token')}`,
      `probes/notify.yaml:3:31  targets.hook.url: must come from the environment [SP_CONFIG_INVALID]\n${hint('url', 'HOOK_URL', 'webhook url')}`,
      `probes/notify.yaml:4:29  targets.chat.url: must come from the environment [SP_CONFIG_INVALID]\n${hint('url', 'CHAT_URL', 'slack url')}`,
    ]);
    for (const line of problems) for (const text of ['chat-ops-written', 'tk_written', 'T0/B0', env.NTFY_TOKEN]) expect(line).not.toContain(text);
  });

  it('accepts the README\'s example as written, once its secrets are in the environment', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /```yaml\n# probes\/notify\.yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const root = await tempProject({
      'probes/site.yaml': site,
      'probes/components.yaml': ['components:', '  - { id: edge, name: Edge }', '  - { id: api, name: API }', ''].join('\n'),
      'probes/notify.yaml': example!,
    });
    const env = {
      SMTP_PASSWORD: 'hunter2-smtp-password',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/secretpart',
      PARTNER_WEBHOOK_URL: 'https://hooks.partner.example/T0/secret',
      SUBSCRIBE_SECRET: 'c0ffee'.repeat(8),
    };
    const { config, problems } = await loadConfig(root, env);
    expect(problems.map(formatError)).toEqual([]);
    expect(config?.notify?.targets.map((target) => [target.name, target.kind])).toEqual([['ops-mail', 'email'], ['ops-slack', 'slack']]);
    expect(config?.privateValues).toEqual(expect.arrayContaining(Object.values(env)));
  });

  it('accepts the webhook receivers\' guide\'s example (docs/notify-webhook.md) as written', async () => {
    const guide = await readFile(new URL('../../docs/notify-webhook.md', import.meta.url), 'utf8');
    const example = /```yaml\n(targets:[\s\S]*?)```/.exec(guide)?.[1];
    expect(example).toBeDefined();
    const env = { OPS_WEBHOOK_URL: 'https://hooks.chat.example/statuspost', OPS_WEBHOOK_SECRET: 'c0ffee'.repeat(8) };
    const { config, problems } = await load(example!, env);
    expect(problems.map(formatError)).toEqual([]);
    expect(config?.notify?.targets).toEqual([{ name: 'ops-hook', kind: 'webhook', config: { url: env.OPS_WEBHOOK_URL, secret: env.OPS_WEBHOOK_SECRET, format: 'statuspost', headers: {} } }]);
  });

  it('reports notify.yaml\'s problems with those of the other files, in one list', async () => {
    const root = await tempProject({
      'probes/site.yaml': site,
      'probes/components.yaml': components,
      'probes/checks/a.yaml': ['checks:', '  - { id: one, component: cahce, kind: tcp, host: h.example, port: 1 }', ''].join('\n'),
      'probes/notify.yaml': ['targets:', '  ops-mail: { kind: emial }', ''].join('\n'),
    });
    const { config, problems } = await loadConfig(root, {});
    expect(config).toBeUndefined();
    expect(problems.map((problem) => problem.at?.file)).toEqual(['probes/checks/a.yaml', 'probes/notify.yaml']);
  });
});
