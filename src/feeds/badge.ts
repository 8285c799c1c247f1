// badge.svg for the page and for each component (status, and 30-day uptime for components), and a
// shields.io endpoint JSON beside each. The SVG is built as elements with escaped text and attributes.
import { overallLevelOf } from '../i18n/overall.ts';
import { wordsOf, type FeedContext, type FeedFile } from './context.ts';

const COLOURS: Record<string, string> = {
  operational: '#1a7f37', none: '#1a7f37', degraded_performance: '#9a6700', minor: '#9a6700',
  partial_outage: '#bc4c00', major: '#bc4c00', major_outage: '#cf222e', critical: '#cf222e',
  under_maintenance: '#0969da', maintenance: '#0969da',
};

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function element(name: string, attributes: Record<string, string | number>, children: string[] = []): string {
  const attrs = Object.entries(attributes).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
  return `<${name}${attrs}>${children.join('')}</${name}>`;
}
const text = (value: string) => escapeXml(value);

/** Verdana 11px averages about 6.5 px a character; good enough for a badge. */
const widthOf = (value: string) => Math.round([...value].length * 6.5 + 12);

export function badgeSvg(label: string, message: string, colour: string): string {
  const left = widthOf(label);
  const right = widthOf(message);
  return element('svg', { xmlns: 'http://www.w3.org/2000/svg', width: left + right, height: 20, role: 'img', 'aria-label': `${label}: ${message}` }, [
    element('title', {}, [text(`${label}: ${message}`)]),
    element('rect', { width: left, height: 20, fill: '#555' }),
    element('rect', { x: left, width: right, height: 20, fill: colour }),
    element('g', { fill: '#fff', 'text-anchor': 'middle', 'font-family': 'Verdana,DejaVu Sans,sans-serif', 'font-size': 11 }, [
      element('text', { x: left / 2, y: 14 }, [text(label)]),
      element('text', { x: left + right / 2, y: 14 }, [text(message)]),
    ]),
  ]);
}

export function badgeFiles(context: FeedContext): FeedFile[] {
  const { overall, components } = context.snapshot;
  const w = wordsOf(context);
  const label = w.t('badge.label');
  const message = w.inSentence(w.t(`overall.${overallLevelOf(overall)}`));
  const files: FeedFile[] = [
    { path: 'badge.svg', body: badgeSvg(label, message, COLOURS[overall.indicator] ?? '#555') },
    { path: 'badge.json', body: JSON.stringify({ schemaVersion: 1, label, message, color: COLOURS[overall.indicator] ?? '#555' }) },
  ];
  for (const c of components) {
    const message = `${w.t(`badge.${c.status}`)} · ${w.t('badge.uptime30', { percent: w.percent(c.uptime.d30.percent) })}`;
    files.push(
      { path: `components/${c.id}/badge.svg`, body: badgeSvg(c.name, message, COLOURS[c.status] ?? '#555') },
      { path: `components/${c.id}/badge.json`, body: JSON.stringify({ schemaVersion: 1, label: c.name, message, color: COLOURS[c.status] ?? '#555' }) },
    );
  }
  return files;
}
