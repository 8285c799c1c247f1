// The only list of notification providers: the config loader validates each target with its
// provider's schema, `statuspost notify --help` lists their keys, the sender looks them up by kind.
import type { Provider } from '../types.ts';
import { emailProvider } from './email.ts';

export const providers: readonly Provider<never>[] = [emailProvider as Provider<never>];

export const providerKinds: readonly string[] = providers.map((provider) => provider.kind);

export function providerForKind(kind: string): Provider | undefined {
  return providers.find((provider) => provider.kind === kind) as Provider | undefined;
}
