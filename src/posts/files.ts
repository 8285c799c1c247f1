// Which files under content/incidents/ and content/maintenance/ are posts. Posts may sit in
// subfolders (content/incidents/2015/…), end in .md or .markdown in any letter case, and be
// symbolic links to files inside the project. Every other file is named as skipped, and a link
// that leads nowhere or out of the project is a problem: nothing is dropped without a word.
// Hidden names (".…": editor lock files such as .#post.md, .gitignore, .keep) are not posts and
// are passed over quietly, as git and editors do.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { StatuspostError } from '../errors.ts';
import { describeReadError } from '../config/source-file.ts';

export type PostKind = 'incident' | 'maintenance';

export const POST_FOLDERS = { incident: 'content/incidents', maintenance: 'content/maintenance' } as const;

/** What makes a file a post: .md or .markdown, any letter case. */
export const POST_EXTENSION = /\.(md|markdown)$/i;

/** Subfolders below content/incidents/ (a year, a month, a team): deeper is a mistake or a loop. */
const MAX_DEPTH = 6;

export interface PostFile {
  kind: PostKind;
  /** Relative to the project root, as written in every message. */
  file: string;
  /** Bytes, from stat: limits are checked before anything is read. */
  size: number;
}

export interface PostListing {
  files: PostFile[];
  problems: StatuspostError[];
  warnings: StatuspostError[];
}

export async function listPostFiles(root: string): Promise<PostListing> {
  const listing: PostListing = { files: [], problems: [], warnings: [] };
  const realRoot = await realpath(root).catch(() => root);
  const listed = new Set<string>(); // real paths of folders read: a linked folder is read once, and cannot loop
  const problem = (file: string, message: string, hint: string) => listing.problems.push(new StatuspostError('SP_POST_INVALID', message, { at: { file }, hint }));
  const skipped = (file: string, why: string) =>
    listing.warnings.push(new StatuspostError('SP_POST_WARNING', `skipped: ${why}`, { at: { file }, hint: 'posts end in .md or .markdown; move other files out of content/' }));

  async function walk(kind: PostKind, folder: string, depth: number): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, folder), { withFileTypes: true });
    } catch (error) {
      if (depth === 0 && (error as NodeJS.ErrnoException).code === 'ENOENT') return; // a page with no posts yet
      problem(folder, `cannot read the folder: ${describeReadError(error)}`, 'make it readable by the user statuspost runs as');
      return;
    }
    const real = await realpath(join(root, folder)).catch(() => join(root, folder));
    if (listed.has(real)) return;
    listed.add(real);
    const visible = entries.filter((entry) => !entry.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Entries are looked at a few hundred at a time (each stat is a thread-pool round trip); results are used in name order.
    const found: Found[] = [];
    for (let i = 0; i < visible.length; i += 256) {
      found.push(...(await Promise.all(visible.slice(i, i + 256).map((entry) => inspect(`${folder}/${entry.name}`, entry)))));
    }
    for (const [i, what] of found.entries()) {
      const file = `${folder}/${visible[i]!.name}`;
      if (what.type === 'problem') problem(file, what.message, what.hint);
      else if (what.type === 'skipped') skipped(file, what.why);
      else if (what.type === 'post') listing.files.push({ kind, file, size: what.size });
      else if (depth + 1 > MAX_DEPTH) problem(file, `folders nested more than ${MAX_DEPTH} deep under ${POST_FOLDERS[kind]}/`, 'keep posts at most a few folders deep, e.g. content/incidents/2015/');
      else await walk(kind, file, depth + 1);
    }
  }

  type Found =
    | { type: 'problem'; message: string; hint: string }
    | { type: 'skipped'; why: string }
    | { type: 'post'; size: number }
    | { type: 'folder' };

  async function inspect(file: string, entry: Dirent): Promise<Found> {
    const path = join(root, file);
    if (entry.isSymbolicLink()) {
      const linkHint = 'remove the link, or point it at the post inside the project';
      let target: string;
      try {
        target = await realpath(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { type: 'problem', message: 'a symbolic link to nothing: its target does not exist', hint: linkHint };
        return { type: 'problem', message: `cannot follow the symbolic link: ${describeReadError(error)}`, hint: linkHint };
      }
      if (target !== realRoot && !target.startsWith(realRoot + sep)) {
        return { type: 'problem', message: 'a symbolic link to outside the project folder; posts are read only from inside it', hint: 'copy the post into content/, or link to a file inside the project' };
      }
    }
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      return { type: 'problem', message: `cannot read: ${describeReadError(error)}`, hint: 'make it readable by the user statuspost runs as' };
    }
    if (info.isDirectory()) return { type: 'folder' };
    if (!info.isFile()) return { type: 'skipped', why: 'not a regular file' };
    if (!POST_EXTENSION.test(entry.name)) return { type: 'skipped', why: 'not a post' };
    return { type: 'post', size: info.size };
  }

  for (const kind of ['incident', 'maintenance'] as const) await walk(kind, POST_FOLDERS[kind], 0);
  return listing;
}
