// The home page's component list: groups with their worst status (shown while a group is folded),
// one compact row per component. Pure, from the Snapshot.
import type { ComponentStatus } from '../posts/types.ts';
import { worse } from '../status/component-status.ts';
import type { Snapshot, SnapshotComponent } from '../status/snapshot.ts';

/** Every fixed English phrase of the home page and the header, in one place for translation. */
export const HOME_TEXT = {
  openIncidents: 'Open incidents',
  scheduledMaintenance: 'Scheduled maintenance',
  components: 'Components',
  componentCount: (n: number) => (n === 1 ? '1 component' : `${n} components`),
  uptimeOver90: 'uptime over 90 days',
  measured: (share: string) => `(${share})`,
  measuredQuiet: (share: string) => `, ${share}`,
  subscribe: 'Subscribe',
  headerNav: 'Site',
  homepage: (host: string) => host,
  homepageLabel: (host: string) => `Our website, ${host}`,
  logoAlt: (title: string) => title,
  signInBlocked: 'Sign-in is blocked.',
  signInBlockedDuringWindow: ' Sign-in is blocked during the window.',
  to: 'to',
  viewAll: 'All incidents',
} as const;

export interface HomeGroup {
  /** null: the components that belong to no group. */
  id: string | null;
  name: string | null;
  components: SnapshotComponent[];
  worst: ComponentStatus;
}

export function homeGroups(snapshot: Pick<Snapshot, 'groups' | 'components'>): HomeGroup[] {
  const groups: HomeGroup[] = [
    ...snapshot.groups.map((g) => ({ id: g.id, name: g.name, components: snapshot.components.filter((c) => c.group === g.id) })),
    { id: null, name: null, components: snapshot.components.filter((c) => c.group === null) },
  ]
    .filter((g) => g.components.length > 0)
    .map((g) => ({ ...g, worst: g.components.map((c) => c.status).reduce(worse, 'operational') }));
  return groups;
}

/** Up to this many components, every group opens by itself: a short page has nothing to fold. */
export const FOLD_ABOVE = 12;

/**
 * Whether a group is open when the page loads: when something in it is not operational (trouble is
 * never folded away), or when the page is short; on a long page the healthy groups fold to one line.
 */
export const opensByItself = (group: HomeGroup, components: number) => group.worst !== 'operational' || components <= FOLD_ABOVE;

/**
 * Coverage worth a visible word beside the figure: under 90% of the 90 days measured (a component
 * added last month). Screen readers always hear it, with the figure.
 */
export const showsCoverage = (coverage: number) => coverage < 0.9;
