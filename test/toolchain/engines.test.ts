// The README supports Node 20.19 and later. Every package the lock installs must say it runs there,
// or `npm ci` warns EBADENGINE (as undici 8, pulled in by astro → unifont, did) and, worse, it may
// not run at all.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Version = [number, number, number];

const parse = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text.replace(/^v/, '').split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : 0));
  return [major, minor, patch];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** npm's range grammar as engines fields use it: `a || b`, each a list of comparators. */
function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((set) => {
    const comparators = set.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return comparators.every((comparator) => {
      if (comparator === '*' || comparator === 'x') return true;
      const match = /^(>=|<=|>|<|=|\^|~)?v?(\d+|x)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(comparator);
      if (!match) throw new Error(`cannot read the range "${range}"`);
      const [, op = '', major, minor, patch] = match;
      const floor = parse([major, minor ?? '0', patch ?? '0'].map((p) => (p === 'x' ? '0' : p)).join('.'));
      const precision = [major, minor, patch].filter((p) => p !== undefined && p !== 'x').length;
      const cmp = compare(v, floor);
      switch (op) {
        case '>=': return cmp >= 0;
        case '>': return cmp > 0;
        case '<=': return cmp <= 0;
        case '<': return cmp < 0;
        case '^': return cmp >= 0 && (floor[0] > 0 ? v[0] === floor[0] : v[0] === 0 && v[1] === floor[1]);
        case '~': return cmp >= 0 && v[0] === floor[0] && (precision < 2 || v[1] === floor[1]);
        default: // "20", "20.x", "20.19.0": equal in the parts given
          return v[0] === floor[0] && (precision < 2 || v[1] === floor[1]) && (precision < 3 || v[2] === floor[2]);
      }
    });
  });
}

describe('satisfies', () => {
  it.each([
    ['20.20.2', '>=20.19 <21 || >=22.12', true],
    ['20.20.2', '>=22.19.0', false],
    ['20.19.0', '^20.19.0 || >=22.12.0', true],
    ['20.18.0', '^20.19.0 || >=22.12.0', false],
    ['20.20.2', '20.x || 22.x', true],
    ['20.20.2', '^22.20 || ^24.12 || >=25', false],
    ['20.20.2', '>= 18', true],
    ['20.20.2', '*', true],
  ])('%s in %s is %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});

describe('package-lock.json on the Node versions the README supports', () => {
  it('installs no package whose engines exclude Node 20.19 or the Node running the tests', async () => {
    const lock = JSON.parse(await readFile(fileURLToPath(new URL('../../package-lock.json', import.meta.url)), 'utf8')) as {
      packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } | string[] }>;
    };
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      // Optional packages (other platforms' binaries) are skipped by npm when they do not fit.
      if (path === '' || entry.optional || Array.isArray(entry.engines) || !entry.engines?.node) continue;
      for (const node of ['20.19.0', process.versions.node]) {
        if (!satisfies(node, entry.engines.node)) refused.push(`${path.replace(/^node_modules\//, '')}@${entry.version} needs node ${entry.engines.node}, not ${node}`);
      }
    }
    expect(refused).toEqual([]);
  });
});
