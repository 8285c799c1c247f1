// Post files as text, one numbered line per row, so a test can replace a line and name its position.
export const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

export const INCIDENT = 'content/incidents/2015-09-09-redis-failure.md';

/** A valid incident in America/Los_Angeles; `overrides` replace whole lines by number (1-based). */
export function incidentText(overrides: Record<number, string> = {}, body = '## What happened\nRedis stopped answering.'): string {
  const rows = [
    '---', // 1
    'title: Sign-in and sending fail', // 2
    'impact: major', // 3
    'timezone: America/Los_Angeles', // 4
    'start: 2015-09-09T10:05', // 5
    'components:', // 6
    '  cache: major_outage', // 7
    'updates:', // 8
    '  - at: 2015-09-09T10:12', // 9
    '    status: investigating', // 10
    '    body: We are looking into failed sign-ins.', // 11
    '  - at: 2015-09-09T11:40', // 12
    '    status: resolved', // 13
    '    body: Sign-in and sending work again.', // 14
    'postmortemAt: 2015-09-11T09:00', // 15
    '---', // 16
    body, // 17…
  ];
  for (const [index, row] of Object.entries(overrides)) rows[Number(index) - 1] = row;
  return lines(...rows);
}

export const MAINTENANCE = 'content/maintenance/2012-03-24-main-database-upgrade.md';

/** A valid maintenance in America/Los_Angeles; `overrides` replace whole lines by number (1-based). */
export function maintenanceText(overrides: Record<number, string> = {}): string {
  const rows = [
    '---', // 1
    'title: Main database upgrade', // 2
    'timezone: America/Los_Angeles', // 3
    'announcedAt: 2012-03-22T16:00', // 4
    'window:', // 5
    '  start: 2012-03-24T22:00', // 6
    '  end: 2012-03-24T22:10', // 7
    'components: [database]', // 8
    'affected: Nobody can sign in.', // 9
    'signInBlocked: true', // 10
    '---', // 11
    'The database moves to a larger server.', // 12
  ];
  for (const [index, row] of Object.entries(overrides)) rows[Number(index) - 1] = row;
  return lines(...rows);
}

/** Nine anchors, each a list of nine aliases of the one before: a "billion laughs" in a few lines. */
export function aliasBomb(key = 'bomb'): string[] {
  const rows = [`${key}a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]`];
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    const previous = String.fromCharCode(96 + i);
    rows.push(`${key}${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
  }
  return rows;
}
