// Amending a post's text keeps what its author wrote (comments, order, body) and adds what is asked.
import { describe, expect, it } from 'vitest';
import { amendPost, appendTo, setKey } from '../../src/posts/amend.ts';
import { INCIDENT, incidentText } from '../helpers/post-files.ts';

describe('amendPost', () => {
  it('appends an update, keeps comments and the body, and removes a key', () => {
    const text = incidentText({ 3: 'impact: major # we argued about this', 15: 'draft: true' }, '## What happened\nRedis stopped.');
    const amended = amendPost(INCIDENT, text, {
      frontMatter: (document) => {
        appendTo(document, 'updates', { at: '2015-09-09T11:50:00', status: 'resolved', body: 'All good: "quotes", colons: and # hashes stay text.' });
        setKey(document, 'draft', undefined);
      },
    });
    expect(amended).toContain('impact: major # we argued about this');
    expect(amended).toContain('## What happened\nRedis stopped.');
    expect(amended).not.toContain('draft:');
    expect(amended).toMatch(/- at: 2015-09-09T11:50:00\n {4}status: resolved\n {4}body: 'All good: "quotes", colons: and # hashes stay text.'/);
    expect(amended.indexOf('body: Sign-in and sending work again.')).toBeLessThan(amended.indexOf('2015-09-09T11:50:00'));
  });

  it('replaces the body', () => {
    const amended = amendPost(INCIDENT, incidentText(), { body: () => '\n## Impact\n' });
    expect(amended.endsWith('---\n\n## Impact\n')).toBe(true);
  });

  it('refuses a text without front matter, or whose front matter is not a map, with a position', () => {
    expect(() => amendPost(INCIDENT, 'no front matter', {})).toThrow(/front matter/);
    expect(() => amendPost(INCIDENT, '---\n- a list\n---\n', {})).toThrow(/not a valid YAML map/);
  });
});
