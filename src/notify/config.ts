// probes/notify.yaml: targets (named, each validated by its provider's schema), routes (which events,
// components and severities go to which targets), subscribers written by the operator, and email
// sign-ups. The file is optional: without it statuspost tells no one. Read by src/config/load.ts,
// which expands ${ENV} first; every problem here joins the same list as the rest of probes/.
//
//   targets:
//     ops-mail: { kind: email, host: smtp.example.org, user: alerts, password: ${SMTP_PASSWORD}, from: status@example.org, to: [oncall@example.org] }
//   routes:
//     - targets: [ops-mail]
//       remindEvery: 1h
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod/v4';
import { DURATION_LIMITS } from '../config/limits.ts';
import { closest, issuesToProblems } from '../config/issues.ts';
import { positionOf, type YamlSource } from '../config/yaml-source.ts';
import { StatuspostError, formatPosition, type SourcePosition } from '../errors.ts';
import { durationWithin } from '../probes/types.ts';
import { addressOf } from './providers/email.ts';
import { providerForKind, providerKinds } from './providers/index.ts';
import type { ConfiguredSubscriber, NotifyConfig, NotifyEventKind, NotifyRoute, NotifyTarget, Severity } from './types.ts';

export const NOTIFY_FILE = 'probes/notify.yaml';

/** Event kinds a route may ask for ("test" is only ever sent by `statuspost notify test`). */
export const ROUTE_EVENT_KINDS = ['component', 'check', 'reminder', 'tls-expiry', 'saturation', 'self', 'auto-incident', 'post'] as const satisfies readonly NotifyEventKind[];
export const DEFAULT_ROUTE_EVENTS: NotifyEventKind[] = ['component', 'reminder', 'tls-expiry', 'saturation', 'self', 'auto-incident'];
export const SEVERITIES = ['critical', 'warning', 'info', 'resolved'] as const satisfies readonly Severity[];
const DEFAULT_TLS_REMINDER_DAYS = [14, 7, 3, 1];

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const nameHint = 'names are lowercase letters, digits and dashes, e.g. ops-mail';

/** Lists of names checked after parsing, so that each unknown one gets its own did-you-mean. */
const names = () => z.array(z.string().min(1)).min(1, { error: 'must list at least one; leave the key out for all' });

const routeSchema = z.strictObject({
  events: names().optional(),
  components: names().optional(),
  severities: names().optional(),
  targets: z.array(z.string().min(1)).min(1, { error: 'must list at least one target' }),
  remindEvery: durationWithin(DURATION_LIMITS.notifyRemindEvery).optional(),
  resolved: z.boolean().default(true),
  duringMaintenance: z.enum(['silence', 'alert']).default('silence'),
});

const subscriberSchema = z.strictObject({
  channel: z.enum(['email', 'webhook', 'slack']),
  address: z.string().min(1),
  components: names().optional(),
  format: z.enum(['statuspost', 'statuspage']).default('statuspost'),
  via: z.string().min(1).optional(),
});

const subscriptionsSchema = z.strictObject({
  email: z
    .strictObject({
      target: z.string().min(1),
      /** Default: the target's own `from`. */
      from: z.string().refine((text) => addressOf(text) !== undefined, { error: 'must be an email address, e.g. "Status <status@example.org>"' }).optional(),
      secret: z.string().refine((text) => text.length >= 32, { error: 'must be at least 32 characters', params: { hint: 'it signs the confirmation and unsubscribe links; make one with `openssl rand -hex 32`' } }),
      confirmWithin: durationWithin(DURATION_LIMITS.notifyConfirmWithin).default(48 * 3_600_000),
    })
    .optional(),
});

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Names to their settings; each name is checked on its own (a record schema garbles odd keys such as __proto__). */
const namedMap = (example: string) =>
  z
    .custom<Record<string, unknown>>(isMap, { error: `must be a map of names to their settings, e.g. ${example}` })
    .nullable()
    .default({});

/** The file's top level; each section is then parsed on its own, so one bad section hides nothing in the others. */
export const notifyFileSchema = z.strictObject({
  targets: namedMap('ops-mail: { kind: email, … }'),
  routes: z.array(z.unknown()).nullable().default([]),
  subscribers: namedMap('partner: { channel: webhook, … }'),
  subscriptions: z.unknown().optional(),
  groupWait: durationWithin(DURATION_LIMITS.notifyGroupWait).default(1_000),
  deadAfter: durationWithin(DURATION_LIMITS.notifyDeadAfter).default(24 * 3_600_000),
  tlsReminderDays: z
    .array(z.number().int().min(1).max(398, { error: 'must be at most 398: no public certificate is valid longer' }))
    .min(1, { error: 'must list at least one day count' })
    .default(DEFAULT_TLS_REMINDER_DAYS),
});

export interface NotifyParseInput {
  source: YamlSource;
  /** The file as plain data, ${ENV} already expanded. */
  value: unknown;
  /** Component ids from probes/components.yaml; undefined when that file has problems of its own. */
  componentIds: readonly string[] | undefined;
  /** The project root: relative file paths (a CA file) are under it. */
  root: string;
  /** "${NAME}" for a value that came from the environment (messages show that, never the value). */
  writtenFromEnv: (path: readonly PropertyKey[]) => string | undefined;
}

export interface NotifyParse {
  notify: NotifyConfig | undefined;
  problems: StatuspostError[];
  /** Addresses, URLs and secrets of targets and subscribers: never published. */
  privateValues: string[];
}

export function parseNotifyConfig(input: NotifyParseInput): NotifyParse {
  const { source } = input;
  // A list written as one value from the environment (to: ${ONCALL}) is split; its items name that value.
  const writtenFromEnv = (path: readonly PropertyKey[]) =>
    input.writtenFromEnv(path) ?? (typeof path[path.length - 1] === 'number' ? input.writtenFromEnv(path.slice(0, -1)) : undefined);
  const problems: StatuspostError[] = [];
  const privateValues: string[] = [];
  const at = (path: readonly PropertyKey[], key?: string) => positionOf(source, path, key);
  const problem = (message: string, position: SourcePosition, hint?: string) =>
    problems.push(new StatuspostError('SP_CONFIG_INVALID', message, { at: position, ...(hint ? { hint } : {}) }));
  // Credentials written in the file: refused once, and nothing else is said at their place (a schema
  // message or a did-you-mean there could print the value, which is still a secret).
  const refusedAt = new Set<string>();
  const refusals = new Set<StatuspostError>();
  /**
   * A secret (a webhook URL, a token, a routing key, a password) must come from the environment:
   * probes/notify.yaml is committed to git. `variable` is the name the hint suggests; the value
   * itself is never shown. True when refused.
   */
  const refuseWrittenSecret = (path: readonly PropertyKey[], value: unknown, variable: string, why: string): boolean => {
    if (typeof value !== 'string' || value === '' || takesFromEnvironment(input.writtenFromEnv(path))) return false;
    const key = String(path[path.length - 1]);
    const position = at(path);
    problem(`${path.join('.')}: must come from the environment`, position, `write it as ${key}: \${${variable}} (no default in the file) and set ${variable} in statuspost's environment; ${why}`);
    refusals.add(problems[problems.length - 1]!);
    refusedAt.add(positionKey(position));
    return true;
  };
  /** An unknown name in a list: did-you-mean among the known ones, or the list of them. */
  const unknown = (path: readonly PropertyKey[], what: string, written: string, known: readonly string[], none: string, whats = `${what}s`) => {
    const fromEnv = writtenFromEnv(path);
    const shown = fromEnv === undefined ? `"${written}"` : `(the value of ${fromEnv})`;
    const meant = fromEnv === undefined ? closest(written, known) : undefined;
    const list = known.length > 0 ? `${whats}: ${known.join(', ')}` : none;
    problem(`${path.map(String).join('.')}: unknown ${what} ${shown}`, at(path), meant ? `did you mean "${meant}"? ${list}` : list);
  };

  const top = notifyFileSchema.safeParse(input.value);
  if (!top.success) problems.push(...issuesToProblems(source, [], notifyFileSchema, input.value, top.error, 'SP_CONFIG_INVALID', writtenFromEnv));
  // The sections that have the right shape are still read, so their problems are listed too.
  const raw = isMap(input.value) ? input.value : {};
  const file = top.success
    ? top.data
    : {
        ...notifyFileSchema.parse({}),
        targets: isMap(raw.targets) ? raw.targets : {},
        routes: Array.isArray(raw.routes) ? raw.routes : [],
        subscribers: isMap(raw.subscribers) ? raw.subscribers : {},
        subscriptions: raw.subscriptions,
      };

  // Targets: the provider named by `kind` validates the rest of the keys.
  const targets: NotifyTarget[] = [];
  for (const [name, written] of Object.entries(file.targets ?? {})) {
    const path = ['targets', name];
    if (!NAME.test(name)) {
      problem(`targets: "${name}" is not a valid target name`, at(['targets'], name), nameHint);
      continue;
    }
    const target = parseTarget(name, written, path);
    if (target) targets.push(target);
  }
  const targetNames = Object.keys(file.targets ?? {}).filter((name) => NAME.test(name));
  const kindOf = new Map(targets.map((target) => [target.name, target.kind]));
  const emailTargets = targets.filter((target) => target.kind === 'email');

  const componentIds = input.componentIds;
  const checkComponents = (path: PropertyKey[], ids: readonly string[] | undefined) => {
    if (!ids || !componentIds) return;
    ids.forEach((id, i) => {
      if (!componentIds.includes(id)) unknown([...path, i], 'component', id, componentIds, 'declare components in probes/components.yaml');
    });
  };

  // Routes.
  const routes: NotifyRoute[] = [];
  (file.routes ?? []).forEach((written, r) => {
    const path = ['routes', r];
    // Names are checked as written, so a misspelt one is reported even beside other problems.
    const listAt = (key: string): string[] | undefined => {
      const list = isMap(written) ? written[key] : undefined;
      return Array.isArray(list) && list.every((item) => typeof item === 'string') ? (list as string[]) : undefined;
    };
    const before = problems.length;
    listAt('events')?.forEach((kind, i) => {
      if (!(ROUTE_EVENT_KINDS as readonly string[]).includes(kind)) unknown([...path, 'events', i], 'event kind', kind, ROUTE_EVENT_KINDS, '');
    });
    listAt('severities')?.forEach((severity, i) => {
      if (!(SEVERITIES as readonly string[]).includes(severity)) unknown([...path, 'severities', i], 'severity', severity, SEVERITIES, '', 'severities');
    });
    checkComponents([...path, 'components'], listAt('components'));
    listAt('targets')?.forEach((name, i) => {
      const targetPath = [...path, 'targets', i];
      if (!targetNames.includes(name)) return unknown(targetPath, 'target', name, targetNames, 'define targets under `targets:` in probes/notify.yaml');
      const target = targets.find((t) => t.name === name);
      // A route sends operators' alerts: an email target needs someone to send them to.
      if (target?.kind === 'email' && (target.config as { to: string[] }).to.length === 0) {
        problem(`${targetPath.join('.')}: target "${name}" has no \`to\` addresses, so its alerts would reach no one`, at(targetPath), `add \`to: [oncall@example.org]\` to the target at ${formatPosition(at(['targets', name]))}`);
      }
    });
    const parsed = routeSchema.safeParse(written);
    if (!parsed.success) {
      problems.push(...issuesToProblems(source, path, routeSchema, written, parsed.error, 'SP_CONFIG_INVALID', writtenFromEnv).map((issue) => prefixedOne(path, issue)));
      return;
    }
    if (problems.length > before) return;
    const route = parsed.data;
    routes.push({
      events: (route.events as NotifyEventKind[] | undefined) ?? [...DEFAULT_ROUTE_EVENTS],
      components: route.components ?? null,
      severities: (route.severities as Severity[] | undefined) ?? null,
      targets: route.targets,
      remindEveryMs: route.remindEvery ?? null,
      resolved: route.resolved,
      duringMaintenance: route.duringMaintenance,
    });
  });

  // Subscribers written by the operator.
  const subscribers: ConfiguredSubscriber[] = [];
  for (const [name, written] of Object.entries(file.subscribers ?? {})) {
    const path = ['subscribers', name];
    if (!NAME.test(name)) {
      problem(`subscribers: "${name}" is not a valid subscriber name`, at(['subscribers'], name), nameHint.replace('ops-mail', 'partner-webhook'));
      continue;
    }
    // A webhook or Slack subscriber's address is its URL, and whoever has that URL can post to it.
    const channel = isMap(written) ? written.channel : undefined;
    const refused =
      (channel === 'webhook' || channel === 'slack') &&
      isMap(written) &&
      refuseWrittenSecret([...path, 'address'], written.address, envName(name, `${channel}Url`), `a ${channel} subscriber's URL is a credential, and probes/ is kept in git`);
    const parsed = subscriberSchema.safeParse(written);
    if (!parsed.success) {
      problems.push(...prefixed(path, issuesToProblems(source, path, subscriberSchema, written, parsed.error, 'SP_CONFIG_INVALID', writtenFromEnv)));
      continue;
    }
    const subscriber = parsed.data;
    const before = problems.length;
    const addressPath = [...path, 'address'];
    const shown = (text: string) => (writtenFromEnv(addressPath) === undefined ? ` "${text}"` : ` (the value of ${writtenFromEnv(addressPath)})`);
    if (subscriber.channel === 'email' && addressOf(subscriber.address) === undefined) {
      problem(`${addressPath.join('.')}:${shown(subscriber.address)} is not an email address`, at(addressPath), 'e.g. address: ops-list@example.org');
    }
    if (subscriber.channel !== 'email' && !isHttpUrl(subscriber.address)) {
      problem(`${addressPath.join('.')}:${shown(subscriber.address)} is not an http(s) URL`, at(addressPath), `a ${subscriber.channel} subscriber's address is its webhook URL; write it as \${PARTNER_WEBHOOK_URL}`);
    }
    if (subscriber.channel !== 'webhook' && subscriber.format !== 'statuspost') {
      problem(`${path.join('.')}.format: only webhook subscribers take a format`, at([...path, 'format']), 'leave it out, or make the channel webhook');
    }
    checkComponents([...path, 'components'], subscriber.components);
    let via: string | null = null;
    if (subscriber.channel === 'email') {
      via = viaTarget(subscriber.via, [...path, 'via'], `subscriber "${name}"`);
    } else if (subscriber.via !== undefined) {
      problem(`${path.join('.')}.via: only email subscribers are sent through a target`, at([...path, 'via']), `a ${subscriber.channel} subscriber is sent to its address directly; leave via out`);
    }
    if (problems.length > before || refused) continue;
    privateValues.push(subscriber.address);
    subscribers.push({ name, channel: subscriber.channel, address: subscriber.address, components: subscriber.components ?? null, format: subscriber.format, via });
  }

  // Email sign-ups through `statuspost serve`.
  let subscriptions: NotifyConfig['subscriptions'] = null;
  let email: z.output<typeof subscriptionsSchema>['email'];
  if (file.subscriptions !== undefined && file.subscriptions !== null) {
    const parsed = subscriptionsSchema.safeParse(file.subscriptions);
    if (parsed.success) email = parsed.data.email;
    else problems.push(...prefixed(['subscriptions'], issuesToProblems(source, ['subscriptions'], subscriptionsSchema, file.subscriptions, parsed.error, 'SP_CONFIG_INVALID', writtenFromEnv)));
  }
  if (email) {
    const path = ['subscriptions', 'email'];
    const before = problems.length;
    const target = viaTarget(email.target, [...path, 'target'], 'email sign-ups');
    const refused = refuseWrittenSecret([...path, 'secret'], email.secret, 'SUBSCRIBE_SECRET', 'it signs every confirmation and unsubscribe link');
    if (problems.length === before && !refused && target !== null) {
      const from = email.from ?? (targets.find((t) => t.name === target)?.config as { from: string }).from;
      subscriptions = { email: { target, from, secret: email.secret, confirmWithinMs: email.confirmWithin } };
      privateValues.push(email.secret);
    }
  }

  const notify: NotifyConfig = {
    targets,
    routes,
    subscribers,
    subscriptions,
    groupWaitMs: file.groupWait,
    deadAfterMs: file.deadAfter,
    tlsThresholdsDays: [...new Set(file.tlsReminderDays)].sort((a, b) => b - a),
  };
  // At a secret's place only the refusal is said; then in the order of the file, as a reader fixes them.
  const said = problems.filter((found) => refusals.has(found) || !refusedAt.has(positionKey(found.at)));
  const order = (problem: StatuspostError) => (problem.at?.line ?? 0) * 100_000 + (problem.at?.column ?? 0);
  said.sort((a, b) => order(a) - order(b));
  return { notify: said.length === 0 ? notify : undefined, problems: said, privateValues };

  function parseTarget(name: string, written: unknown, path: PropertyKey[]): NotifyTarget | undefined {
    if (written === null || typeof written !== 'object' || Array.isArray(written)) {
      problem(`${path.join('.')}: must be a map of keys with a kind`, at(path), `e.g. ${name}: { kind: email, host: smtp.example.org, from: status@example.org, to: [oncall@example.org] }`);
      return undefined;
    }
    const { kind, ...keys } = written as Record<string, unknown>;
    const provider = typeof kind === 'string' ? providerForKind(kind) : undefined;
    if (!provider) {
      const kindPath = [...path, 'kind'];
      const fromEnv = writtenFromEnv(kindPath);
      const what =
        kind === undefined ? 'is required' : fromEnv !== undefined ? `is not a provider kind (the value of ${fromEnv})` : `unknown provider kind ${JSON.stringify(kind)}`;
      const meant = typeof kind === 'string' && fromEnv === undefined ? closest(kind, providerKinds) : undefined;
      problem(`${kindPath.join('.')}: ${what}`, at(kind === undefined ? path : kindPath), `${meant ? `did you mean "${meant}"? ` : ''}kind must be one of ${providerKinds.join(', ')}`);
      return undefined;
    }
    // A provider's schema may or may not list `kind` itself; it gets the keys as it declares them.
    const ownsKind = objectKeys(provider.schema).includes('kind');
    const value = ownsKind ? written : keys;
    let refused = false;
    for (const key of provider.secretKeys) {
      const keyPath = key.split('.');
      const secret = keyPath.reduce<unknown>((parent, part) => (isMap(parent) ? parent[part] : undefined), written);
      const why = `the ${provider.kind} ${key} is a credential, and probes/ is kept in git`;
      if (refuseWrittenSecret([...path, ...keyPath], secret, envName(name, key), why)) refused = true;
    }
    const parsed = provider.schema.safeParse(value);
    if (refused) return undefined;
    if (!parsed.success) {
      problems.push(...prefixed(path, issuesToProblems(source, path, provider.schema, value, parsed.error, 'SP_CONFIG_INVALID', writtenFromEnv)));
      return undefined;
    }
    const config = anchorCa(parsed.data, input.root);
    privateValues.push(...provider.privateValues(config));
    return { name, kind: provider.kind, config };
  }

  /** A target named to send email (a subscriber's `via`, sign-ups' `target`): it must exist and be an email target. */
  function viaTarget(name: string | undefined, path: PropertyKey[], what: string): string | null {
    if (name === undefined) {
      if (emailTargets.length === 1) return emailTargets[0]!.name;
      problem(`${path.slice(0, -1).join('.')}: ${what} need${what.endsWith('s') ? '' : 's'} an email target to send through`, at(path), emailTargets.length === 0 ? 'define a target of kind email under `targets:`, then name it here' : `name one with ${String(path[path.length - 1])}: ${emailTargets.map((t) => t.name).join(' or ')}`);
      return null;
    }
    if (!targetNames.includes(name)) {
      unknown(path, 'target', name, targetNames, 'define a target of kind email under `targets:` in probes/notify.yaml');
      return null;
    }
    const kind = kindOf.get(name);
    if (kind !== undefined && kind !== 'email') {
      const others = emailTargets.map((t) => t.name);
      problem(`${path.join('.')}: target "${name}" is of kind ${kind}, not email`, at(path), others.length > 0 ? `email targets: ${others.join(', ')}` : 'define a target of kind email under `targets:`, then name it here');
      return null;
    }
    return kind === undefined ? null : name; // a target with problems of its own is already reported
  }
}

/**
 * Whether a value as written takes something from the environment: at least one ${NAME} with no
 * default (a default, ${NAME:-…}, is written in the file; $${ is a literal "${"). A value mixing
 * text and a reference, https://hooks.slack.com/services/${SLACK_PATH}, counts: the variable holds
 * the secret part, and the rest (a service's public host) may be written.
 */
function takesFromEnvironment(written: string | undefined): boolean {
  return written !== undefined && /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(written.replace(/\$\$\{/g, ''));
}

/** The environment variable a hint suggests for a secret: target "ops-slack", key "url" → OPS_SLACK_URL; routingKey → ROUTING_KEY. */
function envName(name: string, key: string): string {
  return `${name}_${key}`
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

const positionKey = (at: SourcePosition | undefined) => (at ? `${at.file}:${at.line ?? 0}:${at.column ?? 0}` : '');

/** Issues of a part (a target, a subscriber) name the whole path in their message, as checks' do. */
function prefixed(path: readonly PropertyKey[], found: readonly StatuspostError[]): StatuspostError[] {
  return found.map((issue) => prefixedOne(path, issue));
}

function prefixedOne(path: readonly PropertyKey[], issue: StatuspostError): StatuspostError {
  return new StatuspostError(issue.code, `${path.join('.')}.${issue.message}`, { ...(issue.at ? { at: issue.at } : {}), ...(issue.hint ? { hint: issue.hint } : {}) });
}

function objectKeys(schema: z.ZodType): string[] {
  let current: unknown = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = (current as { _zod?: { def?: { type: string; in?: unknown; innerType?: unknown; shape?: Record<string, unknown> } } })?._zod?.def;
    if (!def) return [];
    if (def.type === 'object') return Object.keys(def.shape ?? {});
    current = def.type === 'pipe' ? def.in : def.innerType;
  }
  return [];
}

/** A relative `tls.ca` means a file under the project root, as the checks' do (the daemon may start in /). */
function anchorCa(config: unknown, root: string): unknown {
  const tls = (config as { tls?: { ca?: unknown } } | null)?.tls;
  if (!tls || typeof tls.ca !== 'string' || isAbsolute(tls.ca)) return config;
  return { ...(config as object), tls: { ...tls, ca: resolve(root, tls.ca) } };
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false; // not a URL: the answer to the question
  }
}
