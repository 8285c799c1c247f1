// What `statuspost serve` needs to offer email sign-up: the project's configuration (probes/), its
// store, and the email target named by subscriptions.email in probes/notify.yaml. Without that
// section (or without a project at all) serve answers files only, and the published subscribe page
// says email is not offered.
import { loadConfig } from '../config/load.ts';
import { formatError } from '../errors.ts';
import { closeEmailTransports } from '../notify/providers/email.ts';
import { providerForKind } from '../notify/providers/index.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { subscriptionRoutes, type SubscriptionRoutes } from './subscribe.ts';

export interface ServeSubscriptions {
  routes: SubscriptionRoutes;
  close(): Promise<void>;
}

/**
 * The sign-up routes, or undefined with the reason why they are off (printed by serve as a note).
 * A project whose configuration has problems serves files only: sign-up needs a valid notify.yaml.
 */
export async function serveSubscriptions(root: string, folder: string, options: { trustForwardedFor?: boolean; note: (text: string) => void }): Promise<ServeSubscriptions | undefined> {
  const { config, problems } = await loadConfig(root).catch(() => ({ config: undefined, problems: [] }));
  const email = config?.notify?.subscriptions?.email;
  if (!config || !email) {
    const notifyProblems = problems.filter((p) => p.at?.file.endsWith('notify.yaml'));
    if (notifyProblems.length > 0) {
      options.note('note: email sign-up is off: probes/notify.yaml has problems');
      for (const problem of notifyProblems) options.note(formatError(problem));
    }
    return undefined;
  }
  const target = config.notify!.targets.find((t) => t.name === email.target);
  const provider = target && providerForKind(target.kind);
  if (!target || !provider) {
    options.note(`note: email sign-up is off: subscriptions.email.target "${email.target}" is not an email target`);
    return undefined;
  }
  const store: Store = await openStore(config.site.store, root);
  await store.migrate();
  const routes = subscriptionRoutes({
    store,
    folder,
    site: { title: config.site.title, baseUrl: config.site.baseUrl, language: config.site.language },
    components: config.components.map((c) => ({ id: c.id, name: c.name })),
    email: { from: email.from, secret: email.secret, confirmWithinMs: email.confirmWithinMs },
    sendMail: (mail) => provider.send(mail, target.config, { timeoutMs: 15_000 }),
    ...(options.trustForwardedFor ? { trustForwardedFor: true } : {}),
  });
  return {
    routes,
    async close() {
      await closeEmailTransports();
      await store.close();
    },
  };
}
