// The limits on what content/ may hold, as pure functions: the byte that breaks UTF-8, and where
// the number or total size of posts passes what statuspost reads.
import { describe, expect, it } from 'vitest';
import { formatSize, MAX_CONTENT_BYTES, MAX_POST_BYTES, MAX_POST_FILES } from '../../src/config/limits.ts';
import { invalidUtf8Offset } from '../../src/config/source-file.ts';
import { formatError, type StatuspostError } from '../../src/errors.ts';
import { withinLimits } from '../../src/posts/load.ts';

describe('invalidUtf8Offset', () => {
  it.each([
    { name: 'plain ASCII', bytes: [0x61, 0x62], offset: -1 },
    { name: 'two, three and four byte characters', bytes: [0xc3, 0xa4, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], offset: -1 },
    { name: 'a Latin-1 byte', bytes: [0x61, 0xe4, 0x62], offset: 1 },
    { name: 'an overlong slash', bytes: [0x61, 0xc0, 0xaf], offset: 1 },
    { name: 'an overlong three-byte form', bytes: [0xe0, 0x80, 0xaf], offset: 0 },
    { name: 'a UTF-16 surrogate', bytes: [0x61, 0x62, 0xed, 0xa0, 0x80], offset: 2 },
    { name: 'a code point past U+10FFFF', bytes: [0xf4, 0x90, 0x80, 0x80], offset: 0 },
    { name: 'a lead byte that exists in no form', bytes: [0xf5, 0x80], offset: 0 },
    { name: 'a stray continuation byte', bytes: [0x61, 0x80], offset: 1 },
    { name: 'a sequence cut short by the end of the file', bytes: [0x61, 0xe2, 0x82], offset: 1 },
  ])('finds $name at $offset', ({ bytes, offset }) => {
    expect(invalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset);
  });
});

describe('withinLimits', () => {
  const files = (...sizes: number[]) => sizes.map((size, i) => ({ kind: 'incident' as const, file: `content/incidents/${i + 1}.md`, size }));
  const limits = { files: 3, postBytes: 100, contentBytes: 250 };

  it('states the limits, far above a real project', () => {
    expect([formatSize(MAX_POST_BYTES), formatSize(MAX_CONTENT_BYTES), MAX_POST_FILES]).toEqual(['1.0 MiB', '64.0 MiB', 20_000]);
  });

  it('reads every file within the limits', () => {
    const problems: StatuspostError[] = [];
    expect(withinLimits(files(100, 100, 50), problems, limits)).toHaveLength(3);
    expect(problems).toEqual([]);
  });

  it('stops at the first file past the total, naming it and how many were not read', () => {
    const problems: StatuspostError[] = [];
    expect(withinLimits(files(100, 100, 60, 10), problems, { ...limits, files: 10 }).map((f) => f.file)).toEqual(['content/incidents/1.md', 'content/incidents/2.md']);
    expect(problems.map(formatError)).toEqual([
      'content/incidents/3.md:1:1  the posts in content/ come to more than 250 bytes with this one; it and the 1 file after it were not read [SP_POST_INVALID]\n' +
        '  hint: move old posts to an archive outside content/, or shorten the longest',
    ]);
  });

  it('does not count a file that is refused on its own for its size', () => {
    const problems: StatuspostError[] = [];
    expect(withinLimits(files(100, 5_000, 100), problems, limits)).toHaveLength(3);
    expect(problems).toEqual([]);
  });

  it('stops at the first file past the number of posts', () => {
    const problems: StatuspostError[] = [];
    expect(withinLimits(files(1, 1, 1, 1, 1), problems, limits)).toHaveLength(3);
    expect(problems.map(formatError)).toEqual([
      'content/incidents/4.md:1:1  content/ holds 5 posts, more than the 3 statuspost reads; it and the 1 file after it were not read [SP_POST_INVALID]\n' +
        '  hint: move old posts to an archive outside content/',
    ]);
  });
});
