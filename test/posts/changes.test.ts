// What the on-call commands append or refuse, decided from the post as parsed: each refusal points
// at the line that makes it so.
import { describe, expect, it } from 'vitest';
import { incidentResolution, incidentUpdate, maintenanceChange, publishProblems } from '../../src/posts/changes.ts';
import { pickPost } from '../../src/posts/find.ts';
import { listedPost } from '../../src/posts/listing.ts';
import { parsePost, type ParsedPost } from '../../src/posts/load.ts';
import { parseTemplate } from '../../src/posts/template.ts';
import { findPlaceholders, PLACEHOLDERS } from '../../src/posts/wording.ts';
import { composePost } from '../../src/posts/compose.ts';
import { INCIDENT, MAINTENANCE, incidentText, maintenanceText } from '../helpers/post-files.ts';

const parse = (kind: 'incident' | 'maintenance', file: string, text: string): ParsedPost => {
  const parsed = parsePost(kind, file, text, { siteTimezone: 'UTC' });
  if (!parsed.post) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  return parsed.post;
};
// The helper's incident without its resolution and postmortem: still open.
const openIncident = () => parse('incident', INCIDENT, incidentText({ 12: '', 13: '', 14: '', 15: '' }, ''));
/** After every time in the helpers' posts. */
const LATE = Date.parse('2016-01-01T00:00:00Z');
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string; at?: { line?: number }; hint?: string };
  }
  throw new Error('not refused');
};

describe('incidentUpdate', () => {
  it('appends an update with the status given, or the current one, and only what was asked', () => {
    const item = openIncident();
    expect(incidentUpdate(item, { message: 'Found it.', components: [], status: 'identified' }, LATE, 'T', ['cache'])).toEqual({ at: 'T', status: 'identified', body: 'Found it.' });
    expect(incidentUpdate(item, { message: 'Still on it.', components: [{ id: 'cache', status: 'degraded_performance' }], signInBlocked: false }, LATE, 'T', ['cache'])).toEqual({
      at: 'T',
      status: 'investigating',
      body: 'Still on it.',
      components: { cache: 'degraded_performance' },
      signInBlocked: false,
    });
  });

  it('resolving through update sets every component back to operational, as resolve does', () => {
    expect(incidentUpdate(openIncident(), { message: 'Done.', components: [], status: 'resolved' }, LATE, 'T', ['cache'])).toEqual({ at: 'T', status: 'resolved', body: 'Done.', components: { cache: 'operational' } });
    expect(incidentResolution(openIncident(), undefined, LATE, 'T')).toMatchObject({ status: 'resolved', components: { cache: 'operational' }, body: expect.stringContaining('resolved') });
  });

  it('refuses a component the incident does not name, at its components: line, with a did-you-mean', () => {
    const error = refusal(() => incidentUpdate(openIncident(), { message: 'x', components: [{ id: 'cahce', status: 'operational' }] }, LATE, 'T', ['cache', 'database']));
    expect(error).toMatchObject({ code: 'SP_POST_REFUSED', at: { file: INCIDENT, line: 7 } });
    expect(error.message).toBe('update: the incident does not name component "cahce" and no component in probes/components.yaml is called "cahce"; nothing was written');
    expect(error.hint).toMatch(/^did you mean "cache"\?/);
    // A component that exists but is not in this incident is refused too: a typo must not add one.
    expect(refusal(() => incidentUpdate(openIncident(), { message: 'x', components: [{ id: 'database', status: 'operational' }] }, LATE, 'T', ['cache', 'database'])).message).toBe(
      'update: the incident does not name component "database"; nothing was written',
    );
  });

  it('refuses any update to a resolved incident, at the resolving update', () => {
    const resolved = parse('incident', INCIDENT, incidentText());
    const error = refusal(() => incidentUpdate(resolved, { message: 'again', components: [] }, LATE, 'T', ['cache']));
    expect(error).toMatchObject({ code: 'SP_POST_REFUSED', at: { line: 13 } });
    expect(error.message).toBe('update: the incident was resolved at 2015-09-09T11:40:00-07:00; nothing was written');
    expect(refusal(() => incidentResolution(resolved, undefined, LATE, 'T')).message).toMatch(/^resolve: the incident was resolved/);
  });

  it('refuses an update dated before the last one, at that update\'s time', () => {
    const error = refusal(() => incidentUpdate(openIncident(), { message: 'x', components: [] }, Date.parse('2015-09-09T17:11:00Z'), 'T', ['cache']));
    expect(error).toMatchObject({ code: 'SP_POST_REFUSED', at: { line: 9 } });
    expect(error.message).toBe('update: 2015-09-09T10:11:00-07:00 is before update 1 (2015-09-09T10:12:00-07:00); nothing was written');
  });

  it('sends a maintenance window to the maintenance command', () => {
    expect(refusal(() => incidentUpdate(parse('maintenance', MAINTENANCE, maintenanceText()), { message: 'x', components: [] }, LATE, 'T', undefined))).toMatchObject({ code: 'SP_USAGE' });
  });
});

describe('maintenanceChange', () => {
  const window = (overrides: Record<number, string> = {}) => parse('maintenance', MAINTENANCE, maintenanceText(overrides));
  const start = Date.parse('2012-03-25T05:00:00Z'); // 22:00 in Los Angeles, the window's start
  const withUpdate = (status: string) => window({ 10: `signInBlocked: true\nupdates:\n  - at: 2012-03-24T22:01\n    status: ${status}\n    body: x.` });

  it.each([
    { action: 'start', post: () => window(), at: start, update: { status: 'in_progress' }, cancel: false },
    { action: 'complete', post: () => window(), at: start + 60_000, update: { status: 'completed' }, cancel: false },
    { action: 'complete', post: () => withUpdate('in_progress'), at: start + 60_000, update: { status: 'completed' }, cancel: false },
    { action: 'cancel', post: () => window(), at: start - 60_000, update: {}, cancel: true },
  ] as const)('$action writes $update (cancel: $cancel)', ({ action, post, at, update, cancel }) => {
    const change = maintenanceChange(post(), action, undefined, at, 'T');
    expect(change.cancel).toBe(cancel);
    expect(change.update).toMatchObject({ at: 'T', ...update, body: expect.any(String) });
    if (action === 'cancel') expect(change.update).not.toHaveProperty('status');
  });

  it.each([
    { action: 'start', post: () => window(), at: start - 1000, message: /starts at 2012-03-24T22:00:00-07:00, after/, line: 6 },
    { action: 'complete', post: () => window(), at: start - 1000, message: /has not started/, line: 6 },
    { action: 'start', post: () => withUpdate('in_progress'), at: start + 1000, message: /started at .* already/, line: 13 },
    { action: 'cancel', post: () => withUpdate('in_progress'), at: start + 1000, message: /cannot be cancelled/, line: 13 },
    { action: 'start', post: () => withUpdate('completed'), at: start + 1000, message: /was completed at/, line: 13 },
    { action: 'complete', post: () => window({ 10: 'signInBlocked: true\ncancelled: true' }), at: start + 1000, message: /is cancelled/, line: 11 },
  ] as const)('refuses $action ($message) at line $line', ({ action, post, at, message, line }) => {
    const error = refusal(() => maintenanceChange(post(), action, undefined, at, 'T'));
    expect(error.code).toBe('SP_POST_REFUSED');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/nothing was written$/);
    expect(error.at?.line).toBe(line);
  });
});

describe('publishProblems', () => {
  it('names every placeholder at its line and column, and a post that is no draft', () => {
    const { text } = composePost({ kind: 'maintenance', title: 'Cache restart', zone: 'UTC', start: Date.parse('2030-01-05T22:00:00Z'), durationText: '30m', announcedAt: Date.parse('2030-01-01T00:00:00Z'), components: ['cache'] });
    const file = 'content/maintenance/2030-01-05-cache-restart.md';
    const problems = publishProblems(parse('maintenance', file, text), text);
    expect(problems.map((p) => [p.message, p.at?.line, p.at?.column])).toEqual([
      [`placeholder text left: "${PLACEHOLDERS.affected}"`, 11, 11],
      [`placeholder text left: "${PLACEHOLDERS.unaffected}"`, 12, 13],
      [`placeholder text left: "${PLACEHOLDERS.maintenanceBody}"`, 17, 1],
    ]);
    // A window `new` fills with placeholders is written as a draft, the flag first.
    expect(text.split('\n').slice(0, 2)).toEqual(['---', 'draft: true']);
    expect(text.split('\n')[10]).toBe(`affected: ${PLACEHOLDERS.affected}`);
    expect(publishProblems(parse('maintenance', MAINTENANCE, maintenanceText()), maintenanceText()).map((p) => p.message)).toEqual([expect.stringMatching(/is not a draft; nothing was written$/)]);
  });

  it('finds a placeholder wherever it is left, and nothing in a finished text', () => {
    expect(findPlaceholders(`a\nb ${PLACEHOLDERS.unaffected} ${PLACEHOLDERS.unaffected}\n`)).toEqual([
      { placeholder: PLACEHOLDERS.unaffected, line: 2, column: 3 },
      { placeholder: PLACEHOLDERS.unaffected, line: 2, column: 3 + PLACEHOLDERS.unaffected.length + 1 },
    ]);
    expect(findPlaceholders(maintenanceText())).toEqual([]);
  });
});

describe('pickPost', () => {
  const files = ['content/incidents/2026-12-01-chat-down.md', 'content/incidents/2026-12-02-chat-down.md', 'content/maintenance/2026-12-05-cache-restart.md'].map((file) => ({
    file,
    kind: file.includes('incidents') ? ('incident' as const) : ('maintenance' as const),
    size: 1,
  }));
  it('finds a post by slug, by slug without its date when one post has it, or by path', () => {
    expect(pickPost(files, '2026-12-02-chat-down', 'update').file).toBe(files[1]!.file);
    expect(pickPost(files, 'cache-restart', 'update').file).toBe(files[2]!.file);
    expect(pickPost(files, 'content/incidents/2026-12-01-chat-down.md', 'update').file).toBe(files[0]!.file);
    expect(pickPost(files, 'cache', 'update').file).toBe(files[2]!.file); // the start of one slug only
    expect(refusal(() => pickPost(files, 'chat', 'update'))).toMatchObject({ message: 'update: "chat" names 2 posts' });
  });
  it('refuses a slug several posts share, and a misspelt one with a did-you-mean', () => {
    expect(refusal(() => pickPost(files, 'chat-down', 'update'))).toMatchObject({ code: 'SP_USAGE', message: 'update: "chat-down" names 2 posts' });
    expect(refusal(() => pickPost(files, 'cache-restrat', 'update'))).toMatchObject({ code: 'SP_USAGE', hint: expect.stringMatching(/^did you mean "cache-restart"\?/) });
  });
});

describe('listedPost', () => {
  it('gives an incident its last status and a window its state on the clock', () => {
    expect(listedPost(openIncident().post, 0)).toMatchObject({ kind: 'incident', state: 'investigating', open: true, draft: false });
    expect(listedPost(parse('incident', INCIDENT, incidentText()).post, 0)).toMatchObject({ state: 'resolved', open: false, lastUpdate: Date.parse('2015-09-09T18:40:00Z') });
    const window = parse('maintenance', MAINTENANCE, maintenanceText()).post;
    expect(listedPost(window, Date.parse('2012-03-23T00:00:00Z'))).toMatchObject({ state: 'scheduled', open: true, lastUpdate: null });
    expect(listedPost(window, Date.parse('2012-03-25T05:05:00Z'))).toMatchObject({ state: 'in progress', open: true });
    expect(listedPost(window, Date.parse('2012-04-25T00:00:00Z'))).toMatchObject({ state: 'completed', open: false });
  });
});

describe('parseTemplate', () => {
  it('reads the fields a template may fill, and its body as the message', () => {
    expect(parseTemplate('content/templates/node-down.md', '---\nimpact: major\ncomponents: { chat-nodes: partial_outage }\n---\nOne chat node is down.\n', 'incident')).toEqual({
      kind: 'incident',
      file: 'content/templates/node-down.md',
      impact: 'major',
      components: { 'chat-nodes': 'partial_outage' },
      signInBlocked: false,
      message: 'One chat node is down.',
    });
    expect(parseTemplate('t.md', '---\naffected: A.\nwindow: { duration: 1h }\nupdateRequired: { minimumVersion: "2.0" }\n---\n', 'maintenance')).toMatchObject({ affected: 'A.', durationText: '1h', updateRequired: '2.0' });
  });
  it('refuses what a post would refuse, and times, each at its line', () => {
    const error = refusal(() => parseTemplate('content/templates/x.md', '---\nimpact: huge\nstart: 2026-12-01T10:00\n---\n', 'incident')) as unknown as { problems: Array<{ message: string; at?: { line?: number } }> };
    expect(error.problems.map((p) => [p.at?.line, p.message.split(':')[0]])).toEqual([
      [2, 'impact'],
      [3, 'start'],
      [undefined, 'content/templates/x.md is not a usable template for an incident'],
    ]);
  });
});
