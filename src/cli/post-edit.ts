// What the on-call commands (update, resolve, maintenance, publish) share: the project's components
// and zone, the message from a flag, standard input or the editor, the post found by slug and
// changed under its lock, and a report of what was written.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { loadConfig } from '../config/load.ts';
import { componentsFileSchema, isTimeZone } from '../config/schema.ts';
import { parseYaml, toPlain } from '../config/yaml-source.ts';
import { ProblemsError, StatuspostError } from '../errors.ts';
import { findPostFile } from '../posts/find.ts';
import { amendPost, appendTo } from '../posts/amend.ts';
import { parsePost, splitFrontMatter, type ParsedPost } from '../posts/load.ts';
import { componentStatuses } from '../posts/schema.ts';
import { instantOf } from '../posts/stamp.ts';
import type { ComponentStatus } from '../posts/types.ts';
import { flagChoice } from './args.ts';
import { editPost, type WriteContext, type Written } from '../posts/write.ts';
import type { Output } from './output.ts';

export interface Project {
  siteTimezone: string;
  componentIds: string[];
  context: WriteContext;
}

/**
 * What the posts are checked against: the site's zone and the component ids. From the whole
 * configuration when it loads; otherwise, when site.yaml and components.yaml themselves are fine,
 * from those two alone, with a word on standard error: at 3 a.m. an engineer's shell seldom has the
 * checks' secrets (`${REDIS_PASSWORD}`) set, and a broken check must not keep an incident unposted.
 */
export async function loadProject(root: string, warn: (text: string) => void = (text) => void process.stderr.write(`${text}\n`), now = Date.now()): Promise<Project> {
  const { config, problems } = await loadConfig(root);
  const make = (siteTimezone: string, componentIds: string[]): Project => ({ siteTimezone, componentIds, context: { root, componentIds, siteTimezone, now } });
  if (config) return make(config.site.timezone, config.components.map((c) => c.id));
  const postSettings = new Set(['probes/site.yaml', 'probes/components.yaml']);
  if (problems.some((problem) => problem.code !== 'SP_ENV_MISSING' && (problem.at === undefined || postSettings.has(problem.at.file)))) throw new ProblemsError(problems);
  const fallback = await postSettingsOnly(root);
  if (!fallback) throw new ProblemsError(problems);
  warn(`note: probes/ has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`} (\`statuspost check\` lists ${problems.length === 1 ? 'it' : 'them'}); posts are checked against probes/site.yaml and probes/components.yaml alone`);
  return make(fallback.timezone, fallback.componentIds);
}

/** The site's timezone and the component ids, read from their two files; undefined if either has a problem. */
async function postSettingsOnly(root: string): Promise<{ timezone: string; componentIds: string[] } | undefined> {
  const read = async (file: string) => {
    const text = await readFile(join(root, file), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const { source, problems } = parseYaml(file, text);
    const plain = problems.length === 0 ? toPlain(source) : undefined;
    return plain && plain.problems.length === 0 ? plain.value : undefined;
  };
  const site = (await read('probes/site.yaml')) as { timezone?: unknown } | undefined;
  const components = componentsFileSchema.safeParse(await read('probes/components.yaml'));
  const timezone = site?.timezone === undefined ? 'UTC' : site.timezone;
  if (!site || typeof timezone !== 'string' || !isTimeZone(timezone) || !components.success) return undefined;
  return { timezone, componentIds: components.data.components.map((c) => c.id) };
}

/**
 * Finds the post and changes it under its lock: `change` gets the post as parsed from the text on
 * disk at that moment (so two racing commands each see the other's update) and returns the new text.
 */
export async function changePost(project: Project, slug: string, command: string, change: (item: ParsedPost, text: string) => string): Promise<Written> {
  const found = await findPostFile(project.context.root, slug, command);
  return editPost(project.context, found.file, (text) => change(parseForChange(found.kind, found.file, text, project), text));
}

export function parseForChange(kind: 'incident' | 'maintenance', file: string, text: string, project: Project): ParsedPost {
  const parsed = parsePost(kind, file, text, { siteTimezone: project.siteTimezone });
  if (parsed.post && parsed.problems.length === 0) return parsed.post;
  throw new ProblemsError([
    ...parsed.problems,
    new StatuspostError('SP_POST_INVALID', `nothing was written: ${file} has problems of its own`, { at: { file }, hint: 'fix what is listed above (`statuspost check` lists it too), then run the command again' }),
  ]);
}

/** The text of --message: as given, read from standard input for "-", or written in the editor. */
export async function readMessage(given: string | undefined, editor: { name: string; prefill: string } | undefined, stdin: NodeJS.ReadableStream = process.stdin): Promise<string | undefined> {
  let text: string | undefined;
  if (given === '-') text = await readAll(stdin);
  else if (given !== undefined) text = given;
  else if (editor) text = stripComments(await editMessage(editor.name, editor.prefill));
  else return undefined;
  const message = text.replace(/\r\n/g, '\n').trim();
  if (message === '') {
    throw new StatuspostError('SP_ABORTED', 'the message is empty, so nothing was written', { hint: given === undefined ? 'write the update above the # lines and save before closing the editor' : 'give the text with --message "…"' });
  }
  return message;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Git's rule: lines starting with # are instructions, not the message. */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
}

/** Opens $EDITOR (else $VISUAL, else vi) on a temporary file holding `prefill`; returns what was saved. */
async function editMessage(name: string, prefill: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'statuspost-message-'));
  const file = join(folder, `${name}.md`);
  try {
    await writeFile(file, prefill, { mode: 0o600 });
    const editor = process.env.EDITOR || process.env.VISUAL || 'vi';
    // Through the shell, as git does, so EDITOR may carry arguments ("code --wait").
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
      child.once('error', reject);
      child.once('exit', (status, signal) => resolve(status ?? (signal ? 128 : 1)));
    });
    if (code !== 0) throw new StatuspostError('SP_ABORTED', `the editor (${editor}) exited with status ${code}, so nothing was written`, { hint: 'or give the text with --message "…", or --message - to read it from standard input' });
    return await readFile(file, 'utf8');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The lines of the editor's file below the message: what to write, and what the post says now. */
export function editorPrefill(lines: readonly string[]): string {
  return `\n${lines.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n')}\n`;
}

/** "content/incidents/…md: added update 3" and the update as written; with --json, one document. */
export function reportWritten(output: Output, written: Written, summary: string, details: Record<string, unknown>, shown?: unknown): void {
  if (output.json) {
    output.data({ written: written.after !== written.before, file: written.file, slug: written.post.slug, kind: written.post.kind, draft: written.post.draft === true, ...details });
    return;
  }
  output.line(`${written.file}: ${summary}`);
  if (shown !== undefined) for (const line of stringify(shown, { lineWidth: 0 }).trimEnd().split('\n')) output.line(`  ${line}`);
}


export function appendUpdate(file: string, text: string, update: Record<string, unknown>, also?: (doc: Parameters<typeof appendTo>[0]) => void): string {
  return amendPost(file, text, {
    frontMatter: (doc) => {
      appendTo(doc, 'updates', update);
      also?.(doc);
    },
  });
}

/** Whether times without an offset are read in the post's zone: it names its own `timezone:`. */
export function hasOwnZone(text: string): boolean {
  const split = splitFrontMatter(text);
  if (!split) return false;
  return typeof parseDocument(split.yaml).get('timezone') === 'string';
}

export function onePositional(command: string, positionals: readonly string[]): string {
  const [slug, ...stray] = positionals;
  if (slug === undefined) throw new StatuspostError('SP_USAGE', `${command}: say which post: \`statuspost ${command} SLUG\``, { hint: 'run `statuspost list --open` to see the slugs' });
  if (stray.length > 0) throw new StatuspostError('SP_USAGE', `${command}: unexpected argument "${stray[0]}"`, { hint: 'quote a message of several words: --message "We found the cause."' });
  return slug;
}

/** The instant to stamp: --at as written in the post's zone, or the clock now. */
export function stampInstant(command: string, at: unknown, zone: string): number {
  const text = typeof at === 'string' ? at : undefined;
  const instant = instantOf(text, zone, Date.now());
  if (instant === undefined) throw new StatuspostError('SP_USAGE', `${command}: --at "${text}" is not a usable time in ${zone}`, { hint: 'e.g. 2026-12-02T03:10 on the post\'s clock, or 2026-12-02T11:10:00Z' });
  return instant;
}

export function parseComponentFlags(command: string, values: readonly string[]): Array<{ id: string; status: ComponentStatus }> {
  const out: Array<{ id: string; status: ComponentStatus }> = [];
  for (const pair of values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)=(\S+)$/.exec(pair);
    if (!match) throw new StatuspostError('SP_USAGE', `${command}: --component "${pair}" is not ID=STATUS`, { hint: 'e.g. --component cache=operational' });
    const status = flagChoice(command, 'component', match[2]!, componentStatuses);
    out.push({ id: match[1]!, status });
  }
  return out;
}

