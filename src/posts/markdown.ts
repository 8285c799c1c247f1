// Markdown for post bodies and updates, safe by construction: raw HTML is escaped, links may only
// point at http, https, mailto or a relative address, images only at http or https.
import MarkdownIt from 'markdown-it';
import type { Env, StateCore, Token } from 'markdown-it';

export interface RenderedHeading {
  level: number;
  /** The heading as a reader sees it, markup removed. */
  text: string;
  /** Unique within one document; already carries `headingIdPrefix`. */
  id: string;
}

export interface RenderedMarkdown {
  html: string;
  headings: RenderedHeading[];
  /**
   * What a reader sees, as plain text with whitespace collapsed, for feeds and excerpts. It is not
   * HTML: a literal `<` the author wrote stays `<`, so it must go through a serialiser or be escaped.
   */
  text: string;
}

export interface RenderOptions {
  /** Put in front of every heading id, e.g. `update-` when several documents share one page. */
  headingIdPrefix?: string;
  /**
   * The page the HTML will be read at, when that is not where it is shown: every relative link and
   * `#fragment` (the heading anchors too) is made absolute against it. A feed reader resolves
   * `#pm-timeline` against the feed's own URL (rss.xml#pm-timeline), not the post's page.
   */
  linkBase?: string;
  /**
   * What a heading's self-link says to a screen reader, `{heading}` standing for the heading: the site's
   * language gives it (src/i18n, 'markdown.anchorLabel'). English by default.
   */
  anchorLabel?: string;
}

const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);
// Images may only come from the web, and only web links get rel="nofollow noopener noreferrer".
const WEB_SCHEMES = new Set(['http', 'https']);

// markdown-it itself has no mutable state; every render gets its own token stream and env.
const md = new MarkdownIt({ html: false, linkify: true, typographer: true });

// markdown-it's default only refuses a short list (javascript:, vbscript:, file:, data:) and lets any
// other scheme through; an allowlist refuses what nobody thought of. A refused link stays as text.
md.validateLink = (url: string): boolean => {
  const scheme = schemeOf(url);
  return scheme === null || LINK_SCHEMES.has(scheme);
};

// validateLink cannot tell an image from a link, so images get a second, narrower check. A refused
// image shows its alt text.
md.core.ruler.push('statuspost_image_policy', (state: StateCore) => {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    block.children = block.children.map((token) => {
      if (token.type !== 'image') return token;
      const scheme = schemeOf(String(token.attrGet('src') ?? ''));
      if (scheme !== null && WEB_SCHEMES.has(scheme)) return token;
      const alt = new state.Token('text', '', 0);
      alt.content = md.renderer.renderInlineAsText(token.children ?? [], md.options, state.env);
      return alt;
    });
  }
});

/** A relative address or fragment made absolute against the env's linkBase; anything else as it is. */
function absolute(href: string, env: Env | undefined): string {
  const base = (env as { linkBase?: string } | undefined)?.linkBase;
  if (base === undefined || schemeOf(href) !== null) return href;
  try {
    return new URL(href, base).href;
  } catch {
    return href; // not a URL a browser could follow either; left as written
  }
}

md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const href = String(token.attrGet('href') ?? '');
  const scheme = schemeOf(href);
  if (href.startsWith('//') || (scheme !== null && WEB_SCHEMES.has(scheme))) {
    token.attrSet('rel', 'nofollow noopener noreferrer');
  }
  token.attrSet('href', absolute(href, env));
  return self.renderToken(tokens, idx, options);
};

// The self-link is rendered here rather than added as tokens, so it never shows up in `text`.
md.renderer.rules.heading_close = (tokens, idx, options, env, self) => {
  const anchor = tokens[idx]!.meta?.['anchor'] as { id: string; label: string } | undefined;
  const close = self.renderToken(tokens, idx, options);
  if (!anchor) return close;
  const { escapeHtml } = md.utils;
  return (
    ` <a class="anchor" href="${escapeHtml(absolute(`#${anchor.id}`, env))}" aria-label="${escapeHtml(anchor.label)}">` +
    `<span aria-hidden="true">#</span></a>${close}`
  );
};

const DEFAULT_ANCHOR_LABEL = 'Link to this section: {heading}';

export function renderMarkdown(source: string, options: RenderOptions = {}): RenderedMarkdown {
  const env: Env = options.linkBase === undefined ? {} : { linkBase: options.linkBase };
  const tokens = md.parse(source, env);
  const headings = assignHeadingIds(tokens, options.headingIdPrefix ?? '', env, options.anchorLabel ?? DEFAULT_ANCHOR_LABEL);
  return {
    html: md.renderer.render(tokens, md.options, env),
    headings,
    text: toPlainText(tokens, env),
  };
}

const memo = new Map<string, RenderedMarkdown>();

/**
 * renderMarkdown, remembered by source: the pages, the RSS and the API of one build render the same
 * bodies, and a daemon's republish renders none again. Bounded, so a long run keeps at most this many.
 */
export function renderMarkdownCached(source: string, options: RenderOptions = {}): RenderedMarkdown {
  const key = `${options.headingIdPrefix ?? ''}\u0000${options.linkBase ?? ''}\u0000${options.anchorLabel ?? ''}\u0000${source}`;
  let out = memo.get(key);
  if (out === undefined) {
    if (memo.size >= 100_000) memo.clear();
    out = renderMarkdown(source, options);
    memo.set(key, out);
  }
  return out;
}

/** One line of Markdown (an update's body, a title) without a paragraph around it. */
export function renderInline(source: string): string {
  return md.renderInline(source);
}

/**
 * The scheme of a URL as a browser would read it, lowercased, or null for a relative address. A
 * colon before any `/`, `?` or `#` means a scheme, whatever the characters in front of it, so
 * `java%09script:` counts as an unknown scheme and not as a relative path.
 */
function schemeOf(url: string): string | null {
  // Browsers drop control characters and spaces from the front and tabs and newlines from anywhere.
  const compact = url.replace(/[\u0000-\u0020\u007f]+/g, '');
  const end = compact.search(/[:/?#]/);
  if (end === -1 || compact[end] !== ':') return null;
  return compact.slice(0, end).toLowerCase();
}

function assignHeadingIds(tokens: Token[], prefix: string, env: Env, anchorLabel: string): RenderedHeading[] {
  const headings: RenderedHeading[] = [];
  const used = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const open = tokens[i]!;
    if (open.type !== 'heading_open') continue;
    const inline = tokens[i + 1];
    const close = tokens[i + 2];
    if (inline?.type !== 'inline' || close?.type !== 'heading_close') continue;

    const text = collapse(md.renderer.renderInlineAsText(inline.children ?? [], md.options, env));
    const base = `${prefix}${toSlug(text)}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);

    open.attrSet('id', id);
    close.meta = { ...close.meta, anchor: { id, label: anchorLabel.replace('{heading}', () => text) } };
    headings.push({ level: Number(open.tag.slice(1)), text, id });
  }
  return headings;
}

// Lowercase letters (any script), digits and dashes. Apostrophes vanish ("don't" → "dont"); other
// punctuation separates words ("v1.2" → "v1-2", "10:00–10:45" → "10-00-10-45").
export function toSlug(text: string): string {
  const slug = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’‘`]/gu, '')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'section' : slug;
}

function toPlainText(tokens: Token[], env: Env): string {
  const parts: string[] = [];
  for (const token of tokens) {
    if (token.type === 'inline') {
      parts.push(md.renderer.renderInlineAsText(token.children ?? [], md.options, env));
    } else if (token.type === 'code_block' || token.type === 'fence') {
      parts.push(token.content);
    }
  }
  return collapse(parts.join(' '));
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
