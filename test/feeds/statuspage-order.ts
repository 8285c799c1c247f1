// Every ordering a Statuspage client may rely on in a published incident or maintenance record.
type Update = { status: string; created_at: string; updated_at: string; display_at: string };
export type Record_ = { id: string; status: string; created_at: string; updated_at: string; started_at: string; monitoring_at: string | null; resolved_at: string | null; scheduled_for?: string; scheduled_until?: string; postmortem_published_at?: string; incident_updates: Update[] };

/** Every ordering a reader may rely on, as messages naming the record and the two fields. */
export function disorder(record: Record_, generatedAt: number): string[] {
  const t = (v: string | null | undefined) => (v == null ? null : Date.parse(v));
  const problems: string[] = [];
  const before = (a: string, b: string) => {
    const x = t((record as unknown as Record<string, string | null>)[a]);
    const y = t((record as unknown as Record<string, string | null>)[b]);
    if (x !== null && y !== null && x > y) problems.push(`${record.id}: ${a} ${(record as unknown as Record<string, string>)[a]} after ${b} ${(record as unknown as Record<string, string>)[b]}`);
  };
  before('created_at', 'updated_at');
  before('created_at', 'started_at');
  before('started_at', 'monitoring_at');
  before('started_at', 'resolved_at');
  before('monitoring_at', 'resolved_at');
  before('resolved_at', 'updated_at');
  before('started_at', 'updated_at');
  before('resolved_at', 'postmortem_published_at');
  before('scheduled_for', 'scheduled_until');
  // Nothing has happened after the build.
  for (const key of ['created_at', 'updated_at', 'started_at', 'monitoring_at', 'resolved_at']) {
    const x = t((record as unknown as Record<string, string | null>)[key]);
    if (x !== null && x > generatedAt) problems.push(`${record.id}: ${key} is after the build`);
  }
  const updates = [...record.incident_updates].reverse(); // oldest first
  for (const [i, u] of updates.entries()) {
    if (Date.parse(u.created_at) < Date.parse(record.created_at) && !record.scheduled_for) problems.push(`${record.id}: update ${i} before the incident`);
    if (Date.parse(u.created_at) > Date.parse(record.updated_at)) problems.push(`${record.id}: update ${i} after updated_at`);
    if (i > 0 && Date.parse(u.created_at) < Date.parse(updates[i - 1]!.created_at)) problems.push(`${record.id}: updates out of order`);
  }
  return problems;
}

