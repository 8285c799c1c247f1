import { describe, expect, it } from 'vitest';
import { compileSearch } from '../../src/publish/multi-search.ts';

const naive = (patterns: readonly string[], text: string) => patterns.flatMap((pattern, index) => (pattern !== '' && text.includes(pattern) ? [index] : []));

describe('compileSearch', () => {
  it('finds patterns that overlap, nest and end inside one another', () => {
    const patterns = ['he', 'she', 'his', 'hers', 'ushers-x', 'rs', 'e'];
    expect(compileSearch(patterns).find('ushers')).toEqual([0, 1, 3, 5, 6]);
    expect(compileSearch(patterns).find('hi')).toEqual([]);
  });

  it('reports every copy of a pattern given twice, and ignores an empty one', () => {
    expect(compileSearch(['abcd', '', 'abcd', 'bcd']).find('xxabcdxx')).toEqual([0, 2, 3]);
  });

  it('handles characters outside the patterns, non-ASCII and astral ones', () => {
    const patterns = ['naïve–1', '😀x', 'ab'];
    expect(compileSearch(patterns).find('a naïve–1 😀x \u0000ab')).toEqual([0, 1, 2]);
    expect(compileSearch(patterns).find('naïve-1 😀 x a b')).toEqual([]);
  });

  it('agrees with one indexOf per pattern on generated texts', () => {
    // A small alphabet makes partial matches and failure transitions frequent.
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const word = (length: number) => Array.from({ length }, () => 'abcab-.'[Math.floor(random() * 7)]).join('');
    for (let round = 0; round < 200; round++) {
      const patterns = Array.from({ length: 1 + Math.floor(random() * 12) }, () => word(1 + Math.floor(random() * 6)));
      const text = word(Math.floor(random() * 80));
      expect(compileSearch(patterns).find(text), `${JSON.stringify(patterns)} in ${text}`).toEqual(naive(patterns, text));
    }
  });
});
