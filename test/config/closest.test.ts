// closest(): the did-you-mean behind unknown keys, commands, flags and component ids.
import { describe, expect, it } from 'vitest';
import { closest } from '../../src/config/issues.ts';

describe('closest', () => {
  it.each([
    { word: 'prot', candidates: ['root', 'json', 'port'], expected: 'port' }, // two letters swapped: one slip, not two
    { word: 'incdent', candidates: ['incident', 'maintenance'], expected: 'incident' },
    { word: 'cahce', candidates: ['database', 'cache'], expected: 'cache' },
    { word: 'Timeuot', candidates: ['timeout', 'retries'], expected: 'timeout' },
    { word: 'frobnicate', candidates: ['check', 'build'], expected: undefined },
  ])('$word among $candidates is $expected', ({ word, candidates, expected }) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});
