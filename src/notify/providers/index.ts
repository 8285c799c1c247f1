// The only list of notification providers: the config loader validates each target with its
// provider's schema, `statuspost notify --help` lists their keys, the sender looks them up by kind.
// Adding one: a file in src/notify/providers/, one line here.
import type { Provider } from '../types.ts';
import { discordProvider } from './discord.ts';
import { emailProvider } from './email.ts';
import { mattermostProvider } from './mattermost.ts';
import { ntfyProvider } from './ntfy.ts';
import { pagerdutyProvider } from './pagerduty.ts';
import { slackProvider } from './slack.ts';
import { teamsProvider } from './teams.ts';
import { webhookProvider } from './webhook.ts';

export const providers = [webhookProvider, slackProvider, mattermostProvider, teamsProvider, discordProvider, ntfyProvider, pagerdutyProvider, emailProvider] as const;

const byKind = new Map<string, Provider>(providers.map((provider) => [provider.kind, provider as unknown as Provider]));

export const providerKinds: readonly string[] = providers.map((provider) => provider.kind);

/** The provider for a kind as written, or undefined for an unknown kind (the config loader reports it). */
export function providerForKind(kind: string): Provider | undefined {
  return byKind.get(kind);
}
