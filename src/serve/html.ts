// HTML for the pages `statuspost serve` answers itself, serialised by code: every text and every
// attribute value is escaped here, so no value (an address someone typed, a component name) is
// ever put into markup as it is. Raw markup is only what `raw()` wraps: the site's own page.

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (text: string) => escapeText(text).replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export interface Html {
  readonly html: string;
}

/** Markup that is already safe (the published page it is spliced into). */
export const raw = (html: string): Html => ({ html });

export type Child = Html | string | number | null | undefined | false | readonly Child[];
export type Attrs = Record<string, string | number | boolean | null | undefined>;

const VOID = new Set(['input', 'br', 'meta', 'link', 'hr']);

/** One element: `h('p', { class: 'x' }, 'text', h('a', { href }, 'link'))`. Strings are text. */
export function h(tag: string, attrs: Attrs | null, ...children: Child[]): Html {
  if (!/^[a-z][a-z0-9]*$/.test(tag)) throw new Error(`not a tag name: ${tag}`);
  let open = `<${tag}`;
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`not an attribute name: ${name}`);
    if (value === false || value === null || value === undefined) continue;
    open += value === true ? ` ${name}` : ` ${name}="${escapeAttr(String(value))}"`;
  }
  open += '>';
  if (VOID.has(tag)) return { html: open };
  return { html: `${open}${serialise(children)}</${tag}>` };
}

export function serialise(children: readonly Child[]): string {
  let out = '';
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) out += serialise(child as readonly Child[]);
    else if (typeof child === 'object') out += (child as Html).html;
    else out += escapeText(String(child));
  }
  return out;
}
