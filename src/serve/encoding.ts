// Which content coding to answer with, by RFC 9110 §12.5.3: a coding is acceptable when the client
// lists it (or `*`) with a weight above 0; `q=0` means "not acceptable", whatever else the header
// says. `substring('br')` had `gzip;q=0, br;q=0` answered with brotli.

export type Coding = 'br' | 'gzip';

/** RFC 9110 §12.4.2: 0 to 1, at most three decimals. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
/** Recipients treat x-gzip as gzip (RFC 9110 §8.4.1.3). */
const ALIASES: Record<string, string> = { 'x-gzip': 'gzip' };

/** The weight the header gives each coding it names (lowercase), `*` included. */
export function acceptedWeights(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim());
    if (name === '') continue;
    const coding = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
    let weight = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const value = param.slice(eq + 1).trim();
      // A weight that is not a qvalue is read as "not acceptable": sending a coding a client may
      // not decode is worse than sending more bytes.
      weight = QVALUE.test(value) ? Number(value) : 0;
    }
    if (!weights.has(coding)) weights.set(coding, weight);
  }
  return weights;
}

/**
 * The coding to send among `available` (in the server's order of preference, used to break ties
 * between equal weights), or undefined for none (identity). No header at all gets identity: most
 * such clients are scripts and tools that would not decode what they did not ask for.
 */
export function chooseEncoding(header: string | undefined, available: readonly Coding[]): Coding | undefined {
  if (!header || available.length === 0) return undefined;
  const weights = acceptedWeights(header);
  const any = weights.get('*') ?? 0;
  let best: Coding | undefined;
  let bestWeight = 0;
  for (const coding of available) {
    const weight = weights.get(coding) ?? any;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}
