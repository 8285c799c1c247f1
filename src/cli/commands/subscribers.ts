// `statuspost subscribers list|export|delete ID`: the subscribers kept in the store (self-service
// sign-ups, and the copies of those written in probes/notify.yaml). Addresses are shown here, to the
// operator, and nowhere else: never published, never logged in full.
import { loadConfig } from '../../config/load.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import { emailSubscriberId } from '../../notify/subscribers/token.ts';
import { openStore } from '../../store/open.ts';
import type { Store, Subscriber } from '../../store/types.ts';
import { oneOf, parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, plural, table, writeOrStop } from '../output.ts';

const ACTIONS = ['list', 'export', 'delete'] as const;

const record = (s: Subscriber) => ({
  id: s.id,
  channel: s.channel,
  address: s.address,
  components: s.components,
  state: s.state,
  source: s.source,
  createdAt: new Date(s.createdAt).toISOString(),
  confirmedAt: s.confirmedAt === null ? null : new Date(s.confirmedAt).toISOString(),
});

export const subscribersCommand: Command = {
  summary: 'list, export or delete the subscribers kept in the store',
  usage: `Usage: statuspost subscribers list|export|delete [ID] [--root DIR] [--json]

The subscribers in the store: email sign-ups made through \`statuspost serve\` (pending until their
address confirms) and the subscribers written in probes/notify.yaml. Addresses are private: they are
shown here, to the operator, and are never published.

  list         a table: id, channel, address, state, source, components, created (--json: one
               JSON document, a list)
  export       every subscriber as JSON lines on standard output (id, channel, address,
               components, state, source, createdAt, confirmedAt)
  delete ID    removes one subscriber; ID is the id from the list, or an email address (its
               sign-up's id is worked out). One from probes/notify.yaml is removed there instead.
  --root DIR   the project folder (default: the current folder)
  --json       list: one JSON document; delete: {"deleted": ID}

Exit codes: 0 done, 1 configuration problems or no such subscriber, 2 bad usage, 3 the store cannot
be opened.`,
  async run(argv) {
    const args = parseCommandArgs('subscribers', argv, {}, true);
    const [actionWord, ...rest] = args.positionals;
    if (actionWord === undefined) throw new StatuspostError('SP_USAGE', 'subscribers: say what to do: list, export or delete ID', { hint: 'e.g. statuspost subscribers list' });
    const action = oneOf('subscribers', 'action', actionWord, ACTIONS);
    if (action === 'delete' && rest.length !== 1) throw new StatuspostError('SP_USAGE', 'subscribers delete: give one ID', { hint: 'the id from `statuspost subscribers list`, or the email address' });
    if (action !== 'delete' && rest.length > 0) throw new StatuspostError('SP_USAGE', `subscribers ${action}: takes no argument, not "${rest[0]}"`, { hint: `statuspost subscribers ${action}` });
    const output = createOutput(args.json);
    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);
    const store = await openStore(config.site.store, args.root);
    try {
      await store.migrate();
      if (action === 'list') return await list(store, output);
      if (action === 'export') {
        for (const s of await store.subscribers()) if (!(await writeOrStop(process.stdout, `${JSON.stringify(record(s))}\n`))) break;
        return ExitCode.ok;
      }
      return await remove(store, output, rest[0]!);
    } finally {
      await store.close();
    }
  },
};

async function list(store: Store, output: ReturnType<typeof createOutput>): Promise<number> {
  const subscribers = await store.subscribers();
  if (output.json) {
    output.data(subscribers.map(record));
    return ExitCode.ok;
  }
  if (subscribers.length === 0) {
    output.line('no subscribers');
    return ExitCode.ok;
  }
  const rows = [['ID', 'CHANNEL', 'ADDRESS', 'STATE', 'SOURCE', 'COMPONENTS', 'CREATED']];
  for (const s of subscribers) {
    rows.push([s.id, s.channel, s.address, s.state, s.source, s.components?.join(',') ?? 'all', new Date(s.createdAt).toISOString().slice(0, 16).replace('T', ' ')]);
  }
  output.line(table(rows));
  const pending = subscribers.filter((s) => s.state === 'pending').length;
  output.line(`\n${plural(subscribers.length, 'subscriber')}${pending > 0 ? `, ${pending} pending confirmation` : ''}`);
  return ExitCode.ok;
}

async function remove(store: Store, output: ReturnType<typeof createOutput>, given: string): Promise<number> {
  const id = given.includes('@') && !given.includes(':') ? emailSubscriberId(given) : given;
  if (id.startsWith('config:')) {
    throw new StatuspostError('SP_USAGE', `subscribers delete: ${id} is written in probes/notify.yaml`, { hint: 'remove it from subscribers: in probes/notify.yaml; the daemon forgets it at its next publish' });
  }
  if (!(await store.deleteSubscriber(id))) {
    output.error(`no subscriber ${given} [SP_USAGE]\n  hint: \`statuspost subscribers list\` shows the ids`);
    return ExitCode.problemsFound;
  }
  if (output.json) output.data({ deleted: id });
  else output.line(`deleted ${id}`);
  return ExitCode.ok;
}
