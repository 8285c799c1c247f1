// Reads the posts under content/incidents/ and content/maintenance/ (see files.ts for which files
// are posts): front matter (YAML, with positions) validated by zod, then the cross-file rules. One
// loader for `statuspost check`, the build and the daemon; every problem in every file is returned
// together, and posts only when there is none. Warnings (a file skipped, a time ahead of the clock)
// never hold posts back, but are returned for `check` to print and the daemon to log.
import { createHash } from 'node:crypto';
import type { z } from 'zod/v4';
import { issuesToProblems } from '../config/issues.ts';
import { formatSize, MAX_CONTENT_BYTES, MAX_POST_BYTES, MAX_POST_FILES } from '../config/limits.ts';
import { readSourceFile } from '../config/source-file.ts';
import { parseYaml, positionOf, toPlain, type YamlSource } from '../config/yaml-source.ts';
import { StatuspostError, type SourcePosition } from '../errors.ts';
import { listPostFiles, POST_EXTENSION, POST_FOLDERS, type PostFile } from './files.ts';
import { checkPostRules, futureTimeWarnings, unpublishedPostmortemWarnings } from './rules.ts';
import { escapedControlCharacters, rawControlCharacter } from './text.ts';
import { incidentSchema, maintenanceSchema, timeIssues, timeOf, type IncidentWritten, type MaintenanceWritten } from './schema.ts';
import type { Incident, Maintenance, Post } from './types.ts';

export { POST_FOLDERS };

export interface PostsLoad {
  /** The posts to publish: valid, and not drafts. Empty while any post has a problem. */
  posts: Post[];
  /** Valid posts marked `draft: true`: checked like the others, published nowhere. */
  drafts: Post[];
  problems: StatuspostError[];
  /** Published anyway, but worth a look: printed by `check`, logged by the daemon. */
  warnings: StatuspostError[];
  files: string[];
}

export interface LoadPostsOptions {
  root: string;
  /** Ids of the components in probes/components.yaml; posts may name no others (undefined: not checked). */
  componentIds: readonly string[] | undefined;
  /** Shown for incidents that name no timezone of their own. */
  siteTimezone: string;
  /** The clock, for warnings about times ahead of it (epoch ms; default: Date.now()). */
  now?: number;
  /**
   * Texts to validate in place of what is on disk, by file (relative to root): how a command checks
   * the post it is about to write together with all the others, before it writes. A file not on
   * disk yet is added to the listing.
   */
  overrides?: ReadonlyMap<string, string>;
}

const READ_RULES = {
  maxBytes: MAX_POST_BYTES,
  code: 'SP_POST_INVALID',
  what: 'a post',
  sizeHint: 'a long postmortem is under 100 KB: link to logs and data instead of pasting them in',
} as const;

export async function loadPosts(options: LoadPostsOptions): Promise<PostsLoad> {
  const listing = await listPostFiles(options.root);
  for (const file of options.overrides?.keys() ?? []) {
    if (listing.files.some((entry) => entry.file === file)) continue;
    const kind = postKindOf(file);
    if (kind) listing.files.push({ kind, file, size: Buffer.byteLength(options.overrides!.get(file)!) });
  }
  const problems: StatuspostError[] = [...listing.problems];
  const warnings: StatuspostError[] = [...listing.warnings];
  const files = listing.files.map((entry) => entry.file);
  const parsed: ParsedPost[] = [];
  const validated = new Map<string, ValidatedFile>();

  const work = withinLimits(listing.files, problems);
  // Reads overlap (a few dozen at a time); parsing and the order of results stay as listed.
  const texts = await mapLimit(work, 32, ({ file }) => {
    const override = options.overrides?.get(file);
    return override !== undefined ? Promise.resolve(overrideRead(file, override)) : readSourceFile(options.root, file, READ_RULES);
  });
  work.forEach(({ kind, file }, i) => {
    const read = texts[i]!;
    if (read.problem) {
      problems.push(read.problem);
      return;
    }
    // A file validated by the last load with the same text and site time zone is not parsed again.
    const key = `${kind}\u0000${file}\u0000${options.siteTimezone}\u0000${createHash('sha256').update(read.text).digest('base64')}`;
    const known = lastValidated.get(key);
    if (known) {
      validated.set(key, known);
      parsed.push(fromValidated(file, known));
      return;
    }
    const result = parsePost(kind, file, read.text, options);
    problems.push(...result.problems);
    if (result.post) parsed.push(result.post);
    if (result.post && result.problems.length === 0) validated.set(key, { post: result.post.post, writtenStart: result.post.writtenStart, yaml: splitFrontMatter(read.text)!.yaml });
  });
  // What this load validated, and nothing older: the cache holds one entry per post file at most.
  lastValidated = validated;
  problems.push(...checkPostRules(parsed, options.componentIds));
  warnings.push(...futureTimeWarnings(parsed, options.now ?? Date.now()), ...unpublishedPostmortemWarnings(parsed));
  const valid = problems.length === 0 ? parsed.map((p) => p.post) : [];
  return { posts: valid.filter((post) => !post.draft), drafts: valid.filter((post) => post.draft), problems, warnings, files };
}

/**
 * A post file that passed its own checks (front matter, schema, times, control characters), as the
 * last load found it. The rules across files (component ids, unique slugs, the file-name date) are
 * checked again on every load; positions for their problems come from parsing the front matter
 * again, only when one is needed. The daemon loads the posts whenever one changes: with 10,000
 * posts, validating every file took seconds, and one changed file is now the only one parsed.
 */
interface ValidatedFile {
  post: Post;
  writtenStart: string;
  yaml: string;
}
let lastValidated = new Map<string, ValidatedFile>();

function fromValidated(file: string, known: ValidatedFile): ParsedPost {
  let source: YamlSource | undefined;
  return {
    // The same object as the last load returned: nothing changes a loaded post (they are data for the
    // status model, the pages and the feeds).
    post: known.post,
    writtenStart: known.writtenStart,
    at: (path, key) => positionOf((source ??= parseYaml(file, known.yaml).source), path, key),
  };
}

/** Which kind of post a file under content/ is, from its folder; undefined for any other file. */
export function postKindOf(file: string): 'incident' | 'maintenance' | undefined {
  if (!POST_EXTENSION.test(file)) return undefined;
  if (file.startsWith(`${POST_FOLDERS.incident}/`)) return 'incident';
  if (file.startsWith(`${POST_FOLDERS.maintenance}/`)) return 'maintenance';
  return undefined;
}

/** A text about to be written, held to the same size rule as a file read from disk. */
function overrideRead(file: string, text: string): { text: string; problem?: undefined } | { problem: StatuspostError; text?: undefined } {
  if (Buffer.byteLength(text) > READ_RULES.maxBytes) {
    return { problem: new StatuspostError(READ_RULES.code, `${READ_RULES.what} may be at most ${formatSize(READ_RULES.maxBytes)}`, { at: { file, line: 1, column: 1 }, hint: READ_RULES.sizeHint }) };
  }
  return { text };
}

/**
 * The files to read: all of them, unless there are more, or more bytes, than statuspost reads
 * (see limits.ts). Then the first file past the limit is the problem, and nothing after it is read.
 * A single file over the per-post limit is refused when it is read, and counts for nothing here.
 */
export function withinLimits(
  files: readonly PostFile[],
  problems: StatuspostError[],
  limits = { files: MAX_POST_FILES, postBytes: MAX_POST_BYTES, contentBytes: MAX_CONTENT_BYTES },
): PostFile[] {
  let total = 0;
  for (const [i, entry] of files.entries()) {
    const rest = files.length - i - 1;
    const notRead = rest > 0 ? `; it and the ${rest} file${rest === 1 ? '' : 's'} after it were not read` : '; it was not read';
    if (i >= limits.files) {
      problems.push(new StatuspostError('SP_POST_INVALID', `content/ holds ${files.length} posts, more than the ${limits.files} statuspost reads${notRead}`, { at: { file: entry.file, line: 1, column: 1 }, hint: 'move old posts to an archive outside content/' }));
      return files.slice(0, i);
    }
    if (entry.size <= limits.postBytes) total += entry.size;
    if (total > limits.contentBytes) {
      problems.push(new StatuspostError('SP_POST_INVALID', `the posts in content/ come to more than ${formatSize(limits.contentBytes)} with this one${notRead}`, { at: { file: entry.file, line: 1, column: 1 }, hint: 'move old posts to an archive outside content/, or shorten the longest' }));
      return files.slice(0, i);
    }
  }
  return [...files];
}

/** A post with what the rules need to point at its lines. */
export interface ParsedPost {
  post: Post;
  at(path: readonly PropertyKey[], key?: string): SourcePosition;
  /** The start exactly as written, for the file-name date rule. */
  writtenStart: string;
}

export function parsePost(kind: 'incident' | 'maintenance', file: string, text: string, options: Pick<LoadPostsOptions, 'siteTimezone'>) {
  const problems: StatuspostError[] = [];
  const control = rawControlCharacter(file, text, 'SP_POST_INVALID');
  if (control) return { problems: [control], post: undefined };
  const split = splitFrontMatter(text);
  if (!split) {
    problems.push(
      new StatuspostError('SP_POST_INVALID', 'the file does not start with front matter between two --- lines', {
        at: { file, line: 1, column: 1 },
        hint: `run \`statuspost new ${kind}\` to see the expected shape`,
      }),
    );
    return { problems, post: undefined };
  }
  const { source, problems: syntax } = parseYaml(file, split.yaml);
  const plain = syntax.length > 0 ? { value: undefined, problems: [] } : toPlain(source);
  for (const problem of [...syntax, ...plain.problems]) problems.push(new StatuspostError('SP_POST_INVALID', problem.message, { ...(problem.at ? { at: problem.at } : {}), ...(problem.hint ? { hint: problem.hint } : {}) }));
  if (problems.length > 0) return { problems, post: undefined };

  const value = plain.value;
  const controls = escapedControlCharacters(source, 'SP_POST_INVALID');
  const schema: z.ZodType = kind === 'incident' ? incidentSchema : maintenanceSchema;
  const result = schema.safeParse(value);
  if (!result.success) {
    const found = [...controls, ...issuesToProblems(source, [], schema, value, result.error, 'SP_POST_INVALID')];
    // zod skips refinements once a field is invalid; report bad times now rather than after the next fix.
    for (const issue of timeIssues(value)) {
      const at = positionOf(source, issue.path);
      const message = `${issue.path.join('.')}: ${issue.message}`;
      if (!found.some((p) => p.message === message)) found.push(new StatuspostError('SP_POST_INVALID', message, { at }));
    }
    problems.push(...found.sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.column ?? 0) - (b.at?.column ?? 0)));
    return { problems, post: undefined };
  }
  problems.push(...controls);
  const slug = file.slice(file.lastIndexOf('/') + 1).replace(POST_EXTENSION, '');
  const base = { slug, file, body: split.body.trim() };
  const post =
    kind === 'incident'
      ? toIncident(result.data as IncidentWritten, base, options.siteTimezone)
      : toMaintenance(result.data as MaintenanceWritten, base);
  const writtenStart = kind === 'incident' ? (result.data as IncidentWritten).start : (result.data as MaintenanceWritten).window.start;
  return { problems, post: { post, writtenStart, at: (path: readonly PropertyKey[], key?: string) => positionOf(source, path, key) } satisfies ParsedPost };
}

function toIncident(written: IncidentWritten, base: { slug: string; file: string; body: string }, siteTimezone: string): Incident {
  const zone = written.timezone;
  const updates = written.updates.map((update) => ({
    at: timeOf(update.at, zone),
    status: update.status,
    body: update.body,
    components: update.components ?? {},
    signInBlocked: update.signInBlocked ?? null,
  }));
  return {
    kind: 'incident',
    ...base,
    title: written.title,
    timezone: zone ?? siteTimezone,
    impact: written.impact,
    startedAt: timeOf(written.start, zone),
    components: written.components,
    updates,
    resolvedAt: updates.find((update) => update.status === 'resolved')?.at ?? null,
    postmortemAt: written.postmortemAt === undefined ? null : timeOf(written.postmortemAt, zone),
    actionItems: written.actionItems,
    signInBlocked: written.signInBlocked,
    draft: written.draft,
    ...(written.source ? { source: written.source } : {}),
  };
}

function toMaintenance(written: MaintenanceWritten, base: { slug: string; file: string; body: string }): Maintenance {
  const zone = written.timezone;
  const startsAt = timeOf(written.window.start, zone);
  const updates = written.updates.map((update) => ({ at: timeOf(update.at, zone), status: update.status ?? null, body: update.body }));
  return {
    kind: 'maintenance',
    ...base,
    title: written.title,
    timezone: zone,
    announcedAt: timeOf(written.announcedAt, zone),
    startsAt,
    endsAt: written.window.end !== undefined ? timeOf(written.window.end, zone) : startsAt + (written.window.duration ?? 0),
    components: written.components,
    affected: written.affected,
    unaffected: written.unaffected ?? null,
    signInBlocked: written.signInBlocked,
    updateRequired: written.updateRequired ?? null,
    updates,
    cancelled: written.cancelled,
    draft: written.draft,
    completedAt: updates.find((update) => update.status === 'completed')?.at ?? null,
  };
}

/**
 * The YAML between the opening and closing `---`, padded with one empty line so that YAML line
 * numbers are the file's line numbers.
 */
export function splitFrontMatter(text: string): { yaml: string; body: string } | undefined {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  if (!normalized.startsWith('---\n')) return undefined;
  const close = normalized.indexOf('\n---', 3);
  if (close === -1) return undefined;
  const after = normalized.indexOf('\n', close + 4);
  const closingLine = normalized.slice(close + 1, after === -1 ? undefined : after);
  if (closingLine.trim() !== '---') return undefined;
  return { yaml: `\n${normalized.slice(4, close + 1)}`, body: after === -1 ? '' : normalized.slice(after + 1) };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

export type { YamlSource };
