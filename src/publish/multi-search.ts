// Which of many strings occur in a text, in one pass over it (Aho–Corasick, as a table-driven
// automaton). The leak scan looks for hundreds of needles in every published file: an indexOf per
// needle would cost needles × bytes on every publish; this costs bytes, whatever the needle count.

export interface MultiSearch {
  /** Indexes (into the patterns given) of those found in `text`, ascending. */
  find(text: string): number[];
}

export function compileSearch(patterns: readonly string[]): MultiSearch {
  // The alphabet is the code units the patterns use; every other unit is one column, "no pattern
  // continues here", which keeps the table small (a few dozen columns) without a Map per character.
  const columnOf = new Uint16Array(0x10000);
  let width = 1;
  for (const pattern of patterns) {
    for (let i = 0; i < pattern.length; i++) {
      const unit = pattern.charCodeAt(i);
      if (columnOf[unit] === 0) columnOf[unit] = width++;
    }
  }

  // The trie, one row of `width` cells per state; 0 is the root and also "no edge yet". Rows for the
  // longest possible trie are allocated at once and the unused tail dropped after.
  let cells = width;
  for (const pattern of patterns) cells += pattern.length * width;
  const grown = new Int32Array(cells);
  const ends = new Map<number, number[]>(); // few states end a pattern: no array for each of the others
  let states = 1;
  for (let index = 0; index < patterns.length; index++) {
    const pattern = patterns[index]!;
    if (pattern.length === 0) continue;
    let state = 0;
    for (let i = 0; i < pattern.length; i++) {
      const cell = state * width + columnOf[pattern.charCodeAt(i)]!;
      if (grown[cell] === 0) grown[cell] = states++;
      state = grown[cell]!;
    }
    const ending = ends.get(state);
    if (ending === undefined) ends.set(state, [index]);
    else ending.push(index);
  }
  const table = grown.slice(0, states * width);

  // Breadth first, each missing edge points where the longest proper suffix would go, so the scan
  // never backtracks; each state also reports the patterns that end in its suffixes.
  const fail = new Int32Array(states);
  const found: Array<number[] | undefined> = new Array<number[] | undefined>(states).fill(undefined);
  const queue = new Int32Array(states);
  let tail = 0;
  for (let column = 1; column < width; column++) {
    const child = table[column]!;
    if (child !== 0) queue[tail++] = child;
  }
  for (let head = 0; head < tail; head++) {
    const state = queue[head]!;
    const suffix = fail[state]!;
    const own = ends.get(state);
    const inherited = found[suffix];
    found[state] = own === undefined ? inherited : inherited === undefined ? own : own.concat(inherited);
    const row = state * width;
    const suffixRow = suffix * width;
    for (let column = 1; column < width; column++) {
      const child = table[row + column]!;
      if (child === 0) {
        table[row + column] = table[suffixRow + column]!;
      } else {
        fail[child] = table[suffixRow + column]!;
        queue[tail++] = child;
      }
    }
  }

  return {
    find(text: string): number[] {
      const hits = new Set<number>();
      let state = 0;
      for (let i = 0; i < text.length; i++) {
        state = table[state * width + columnOf[text.charCodeAt(i)]!]!;
        const here = found[state];
        if (here !== undefined) for (const index of here) hits.add(index);
      }
      return [...hits].sort((a, b) => a - b);
    },
  };
}
