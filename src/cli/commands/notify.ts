// `statuspost notify test [TARGET]`: a test message to one target of probes/notify.yaml, or to each,
// and what each answered, in its own words. `statuspost notify --help` lists every provider and its
// keys from the registry, so the list is never out of date.
import { loadConfig, type Config } from '../../config/load.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import { NOTIFY_FILE } from '../../notify/config.ts';
import { closeProviders } from '../../notify/providers/index.ts';
import { providerForKind, providers } from '../../notify/providers/index.ts';
import type { NotifyTarget, OutgoingMessage, SendOutcome } from '../../notify/types.ts';
import { oneOf, parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, plural, table } from '../output.ts';

/** Long enough for a slow SMTP greeting and STARTTLS, short enough that a dead target is news soon. */
const TEST_TIMEOUT_MS = 15_000;
const SUBCOMMANDS = ['test'] as const;

/** "url (required, env)": env marks a key whose value must be \${ENV_VAR} (a credential; probes/ is kept in git). */
export function keyWithMarks(name: string, required: boolean, secret: boolean): string {
  const marks = [...(required ? ['required'] : []), ...(secret ? ['env'] : [])];
  return marks.length === 0 ? name : `${name} (${marks.join(', ')})`;
}

function providerList(): string {
  const lines: string[] = [];
  for (const provider of providers) {
    lines.push(`  ${provider.kind}`);
    const named = provider.keys.map((key) => ({ key, name: keyWithMarks(key.name, key.required, provider.secretKeys.includes(key.name)) }));
    const width = Math.max(...named.map(({ name }) => name.length));
    for (const { key, name } of named) lines.push(`    ${name.padEnd(width)}  ${key.description}`);
  }
  return lines.join('\n');
}

export const notifyCommand: Command = {
  summary: 'send a test message to the targets of probes/notify.yaml; list providers',
  usage: `Usage: statuspost notify test [TARGET] [--root DIR] [--json]

Sends a test message to TARGET (a name under \`targets:\` in probes/notify.yaml), or to every
target, and prints what each answered in its own words ("250 2.0.0 Ok: queued as 7B1F",
"451 4.3.0 Try again later", "connection refused"). Routes are not consulted and nothing is
recorded; secrets are never printed. Each target is given ${TEST_TIMEOUT_MS / 1000} s.

  --root DIR   the project folder (default: the current folder)
  --json       print one JSON document: { ok, targets: [{ name, kind, ok, retryable, code, answer }] }

Any value in probes/notify.yaml may be \${ENV_VAR}; keys marked env below must be (they are
credentials, and probes/ is kept in git), e.g. url: \${OPS_SLACK_URL}.

Providers, and the keys a target of each kind takes besides \`kind:\`:
${providerList()}

Exit codes: 0 every target accepted the message, 1 probes/ has problems, probes/notify.yaml is
missing or has no target, or a target refused the message for good, 2 bad usage (an unknown
subcommand or target), 3 each target that failed may succeed later (unreachable, a temporary
refusal).`,
  async run(argv) {
    const args = parseCommandArgs('notify', argv, {}, true);
    const output = createOutput(args.json);
    const [subcommand, ...names] = args.positionals;
    if (subcommand === undefined) {
      throw new StatuspostError('SP_USAGE', 'notify: which subcommand?', { hint: `subcommands: ${SUBCOMMANDS.join(', ')}; e.g. statuspost notify test ops-mail` });
    }
    oneOf('notify', 'subcommand', subcommand, SUBCOMMANDS);
    if (names.length > 1) throw new StatuspostError('SP_USAGE', `notify test: one target at a time, not ${names.length}`, { hint: 'name one target, or none for all of them' });

    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);
    const targets = chosenTargets(config, names[0]);

    let results: Array<{ target: NotifyTarget; outcome: SendOutcome }>;
    try {
      const now = Date.now();
      results = await Promise.all(targets.map(async (target) => ({ target, outcome: await sendTest(config, target, now) })));
    } finally {
      await closeProviders();
    }

    const allOk = results.every(({ outcome }) => outcome.ok);
    if (args.json) {
      output.data({
        ok: allOk,
        targets: results.map(({ target, outcome }) => ({ name: target.name, kind: target.kind, ok: outcome.ok, retryable: outcome.retryable, code: outcome.code ?? null, answer: outcome.answer })),
      });
    } else {
      const verdict = (outcome: SendOutcome) => (outcome.ok ? 'accepted' : outcome.retryable ? 'failed, may pass later' : 'refused');
      output.line(table([['TARGET', 'KIND', 'RESULT', 'ANSWER'], ...results.map(({ target, outcome }) => [target.name, target.kind, verdict(outcome), outcome.answer])]));
      const accepted = results.filter(({ outcome }) => outcome.ok).length;
      output.line(`\n${accepted} of ${plural(results.length, 'target')} accepted the test message.`);
    }
    if (allOk) return ExitCode.ok;
    return results.some(({ outcome }) => !outcome.ok && !outcome.retryable) ? ExitCode.problemsFound : ExitCode.unavailable;
  },
};

function chosenTargets(config: Config, name: string | undefined): NotifyTarget[] {
  if (!config.notify) {
    throw new StatuspostError('SP_CONFIG_MISSING', 'there is no probes/notify.yaml, so there is no target to test', {
      at: { file: NOTIFY_FILE },
      hint: 'create it with a target under `targets:` (see the README, "Notifications"); `statuspost notify --help` lists the providers and their keys',
    });
  }
  const targets = config.notify.targets;
  if (targets.length === 0) {
    throw new StatuspostError('SP_CONFIG_INVALID', 'probes/notify.yaml defines no target', {
      at: { file: NOTIFY_FILE },
      hint: 'add one under `targets:`; `statuspost notify --help` lists the providers and their keys',
    });
  }
  if (name === undefined) return targets;
  const chosen = oneOf('notify test', 'target', name, targets.map((target) => target.name));
  return targets.filter((target) => target.name === chosen);
}

async function sendTest(config: Config, target: NotifyTarget, now: number): Promise<SendOutcome> {
  const provider = providerForKind(target.kind);
  if (!provider) return { ok: false, retryable: false, answer: `no provider of kind ${target.kind}` }; // the loader refuses such a target
  const message: OutgoingMessage = {
    idempotencyKey: `test-${target.name}-${now}`,
    target: target.name,
    site: { name: config.site.title, url: config.site.baseUrl },
    events: [
      {
        key: `test:${target.name}:${now}`,
        kind: 'test',
        audience: 'operators',
        severity: 'info',
        at: now,
        createdAt: now,
        title: `Test message to ${target.name}`,
        text: `statuspost sent this with \`statuspost notify test\` to show that the target "${target.name}" (${target.kind}) reaches you. Alerts routed to it in probes/notify.yaml arrive the same way. Nothing is wrong.`,
        components: [],
        url: config.site.baseUrl,
      },
    ],
  };
  const outcome = await provider.send(provider.render(message, target.config), target.config, { timeoutMs: TEST_TIMEOUT_MS });
  return { ...outcome, answer: redact(outcome.answer, provider.privateValues(target.config)) };
}

/** A server may echo what it was given; a secret it echoes is still not printed. */
function redact(answer: string, privateValues: readonly string[]): string {
  return privateValues.filter((value) => value.length >= 8).reduce((text, value) => text.split(value).join('[private]'), answer);
}
