// One spelling for text that reads the same. The leak scan runs both the published files and the
// private values through `normaliseText`, then compares: a secret is found however the output
// formats escaped it (JSON, HTML entities, percent-encoding, iCalendar folding), however the
// typographer or an author respelled it (dashes, ellipsis, curly quotes, non-breaking spaces) and in
// whatever letter case. Each step is one regular-expression pass, so the cost is linear in bytes.

export interface NormaliseOptions {
  /** Join iCalendar's folded content lines (CRLF and one space or tab; RFC 5545 §3.1). */
  unfoldLines?: boolean;
}

export function normaliseText(text: string, options: NormaliseOptions = {}): string {
  let out = options.unfoldLines ? text.replace(/\r\n[ \t]/g, '') : text;
  // Outermost encoding first, as formats nest: HTML inside a JSON string, a URL inside an HTML
  // attribute. A pass whose escape character is absent is skipped (a memchr instead of a regex).
  if (out.includes('\\')) out = out.replace(BACKSLASH_ESCAPE, unescapeBackslash);
  if (out.includes('&')) out = out.replace(ENTITY, decodeEntity);
  if (out.includes('%')) out = out.replace(PERCENT_RUN, decodePercentRun);
  out = out.replace(TYPOGRAPHY, undoTypography);
  return out.replace(/\s{2,}|[^\S ]/g, ' ').toLowerCase();
}

// JSON (`\u003c`, `\"`, `\/`) and iCalendar (`\,`, `\;`, `\n`) escapes. A run of backslashes counts as
// one, so JSON inside JSON decodes in the same pass, and a value's own backslashes normalise the same
// way whether it was written as-is or escaped.
const BACKSLASH_ESCAPE = /\\+(?:u([0-9a-fA-F]{4})|([\s\S]))/g;
function unescapeBackslash(_match: string, hex: string | undefined, char: string | undefined): string {
  if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
  return char === 'n' || char === 'r' || char === 't' || char === 'N' ? ' ' : (char ?? '');
}

// Any number of `amp;` layers before the entity: RSS carries HTML escaped once more (`&amp;lt;`).
// Numeric references may omit the `;`, as browsers allow; names need it.
const ENTITY = /&(?:amp;)*(?:#(\d{1,7});?|#[xX]([0-9a-fA-F]{1,6});?|([A-Za-z][A-Za-z0-9]{1,31});)/g;
function decodeEntity(match: string, decimal: string | undefined, hex: string | undefined, name: string | undefined): string {
  if (name !== undefined) return NAMED_ENTITIES[name] ?? `&${name};`;
  const code = decimal !== undefined ? Number(decimal) : parseInt(hex ?? '', 16);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
}

// A run of escapes is decoded together, so UTF-8 sequences (`%E2%80%93`) become their character;
// `%25` layers (double encoding) are peeled in the same pass.
const PERCENT_RUN = /(?:%(?:25)*[0-9a-fA-F]{2})+/g;
function decodePercentRun(run: string): string {
  const bytes = [...run.matchAll(/%(?:25)*([0-9a-fA-F]{2})/g)].map((m) => parseInt(m[1]!, 16));
  return Buffer.from(bytes).toString('utf8');
}

// Every named entity that spells an ASCII character, a space or a character the typographer writes.
// Others (letters of other alphabets, symbols) cannot hide an ASCII secret and are left as written.
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', AMP: '&', lt: '<', LT: '<', gt: '>', GT: '>', quot: '"', QUOT: '"', apos: "'",
  excl: '!', num: '#', dollar: '$', percnt: '%', lpar: '(', rpar: ')', ast: '*', midast: '*', plus: '+',
  comma: ',', period: '.', sol: '/', colon: ':', semi: ';', equals: '=', quest: '?', commat: '@',
  lsqb: '[', lbrack: '[', bsol: '\\', rsqb: ']', rbrack: ']', Hat: '^', lowbar: '_', UnderBar: '_',
  grave: '`', DiacriticalGrave: '`', lcub: '{', lbrace: '{', verbar: '|', vert: '|', VerticalLine: '|',
  rcub: '}', rbrace: '}', dash: '-', hyphen: '-', minus: '-', Tab: '\t', NewLine: '\n',
  nbsp: '\u00a0', NonBreakingSpace: '\u00a0', ensp: ' ', emsp: ' ', emsp13: ' ', emsp14: ' ', numsp: ' ',
  puncsp: ' ', thinsp: ' ', ThinSpace: ' ', hairsp: ' ', VeryThinSpace: ' ', MediumSpace: ' ',
  shy: '\u00ad', zwnj: '\u200c', zwj: '\u200d', ZeroWidthSpace: '\u200b', NoBreak: '\u2060',
  ndash: '\u2013', mdash: '\u2014', hellip: '\u2026', mldr: '\u2026', lsquo: '\u2018', OpenCurlyQuote: '\u2018',
  rsquo: '\u2019', rsquor: '\u2019', CloseCurlyQuote: '\u2019', sbquo: '\u201a', lsquor: '\u201a',
  ldquo: '\u201c', OpenCurlyDoubleQuote: '\u201c', rdquo: '\u201d', rdquor: '\u201d', CloseCurlyDoubleQuote: '\u201d',
  bdquo: '\u201e', ldquor: '\u201e', prime: '\u2032', Prime: '\u2033', copy: '\u00a9', COPY: '\u00a9',
  reg: '\u00ae', REG: '\u00ae', circledR: '\u00ae', trade: '\u2122', TRADE: '\u2122', plusmn: '\u00b1', pm: '\u00b1',
};

// What markdown-it's typographer writes (replacements and smartquotes), and what authors paste, back
// to the ASCII it stands for; invisible characters (soft hyphen, zero-width) are dropped.
const TYPOGRAPHY_UNDONE: Record<string, string> = {
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2212': '-', '\u2013': '--', '\u2014': '---', '\u2015': '---',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"',
  '\u2026': '...', '\u00a9': '(c)', '\u00ae': '(r)', '\u2122': '(tm)', '\u00b1': '+-',
  '\u00ad': '', '\u200b': '', '\u200c': '', '\u200d': '', '\u2060': '', '\ufeff': '',
};
// The typographer's own rules besides, applied to both sides, make `..`, `...` and `…` one spelling
// (it writes any run of dots as `…`), and likewise runs of commas and of ? or !. One pass for all.
const TYPOGRAPHY = new RegExp(`[${Object.keys(TYPOGRAPHY_UNDONE).join('')}]|\\.{2,}|,{2,}|([?!])\\1{2,}`, 'g');
function undoTypography(match: string, repeated: string | undefined): string {
  if (repeated !== undefined) return repeated.repeat(3);
  if (match.length === 1) return TYPOGRAPHY_UNDONE[match] ?? match;
  return match[0] === '.' ? '...' : ',';
}
