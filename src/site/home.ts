// The home page's component list: groups with their worst status (shown while a group is folded),
// one compact row per component. Pure, from the Snapshot.
import { words, type Words } from '../i18n/messages.ts';
import type { ComponentStatus } from '../posts/types.ts';
import { worse } from '../status/component-status.ts';
import type { Snapshot, SnapshotComponent } from '../status/snapshot.ts';

/** The fixed phrases of the home page and the header, in the site's language (src/i18n). */
export function homeText(w: Words) {
  return {
    openIncidents: w.t('home.openIncidents'),
    scheduledMaintenance: w.t('home.scheduledMaintenance'),
    components: w.t('home.components'),
    componentCount: (n: number) => w.plural('home.componentCount', n),
    uptimeOver90: w.t('home.uptimeOver90Days'),
    measured: (share: string) => `(${share})`,
    measuredQuiet: (share: string) => `, ${share}`,
    subscribe: w.t('layout.subscribe'),
    headerNav: w.t('home.headerNav'),
    homepage: (host: string) => host,
    homepageLabel: (host: string) => w.t('home.homepageLabel', { host }),
    logoAlt: (title: string) => title,
    signInBlocked: w.t('common.signInBlocked'),
    signInBlockedDuringWindow: ` ${w.t('common.signInBlockedWindow')}`,
    to: w.t('common.to'),
    viewAll: w.t('home.viewAll'),
  } as const;
}

/** The English phrases, as the tests written before other languages read them. */
export const HOME_TEXT = homeText(words());

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
