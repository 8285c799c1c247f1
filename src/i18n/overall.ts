// The page's overall level from the Snapshot's overall status. The Snapshot carries Statuspage's
// English words (the API publishes them as they are); the pages and the badge say the level in the
// site's language, so they look it up by those words in the one table that pairs them.
import { OVERALL_LEVELS, type OverallLevel, type OverallStatus } from '../status/component-status.ts';

const BY_WORDS = new Map(Object.entries(OVERALL_LEVELS).map(([level, status]) => [status.description, level as OverallLevel]));

export function overallLevelOf(overall: Pick<OverallStatus, 'description' | 'indicator'>): OverallLevel {
  const level = BY_WORDS.get(overall.description);
  if (level === undefined) throw new Error(`no overall level says "${overall.description}": src/status/component-status.ts's OVERALL_LEVELS is the only source of these words`);
  return level;
}
