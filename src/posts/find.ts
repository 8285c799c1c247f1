// Which post a command means by the slug an engineer typed: the file name without its extension
// (2026-12-02-chat-nodes-down), the same without its date (chat-nodes-down) when only one post has
// it, the start of either when only one post's slug starts so (chat-nodes), or the file's path. Read from the listing alone, so a command finds its post even while
// another file has problems (the write is refused then, with those problems named).
import { closest } from '../config/issues.ts';
import { StatuspostError } from '../errors.ts';
import { listPostFiles, POST_EXTENSION, type PostFile } from './files.ts';

export const slugOf = (file: string) => file.slice(file.lastIndexOf('/') + 1).replace(POST_EXTENSION, '');

export async function findPostFile(root: string, wanted: string, command: string): Promise<PostFile> {
  const { files } = await listPostFiles(root);
  return pickPost(files, wanted, command);
}

/** The post `wanted` names among `files`; SP_USAGE with a did-you-mean when none or several match. */
export function pickPost(files: readonly PostFile[], wanted: string, command: string): PostFile {
  const asPath = files.find((entry) => entry.file === wanted.replace(/^\.\//, ''));
  if (asPath) return asPath;
  const key = wanted.toLowerCase();
  const exact = files.filter((entry) => slugOf(entry.file).toLowerCase() === key);
  if (exact.length === 1) return exact[0]!;
  const undated = files.filter((entry) => slugOf(entry.file).toLowerCase().replace(/^\d{4}-\d{2}-\d{2}-/, '') === key);
  if (undated.length === 1 && exact.length === 0) return undated[0]!;
  // Then the start of a slug, as git takes the start of a commit id: `chat-node-2` for
  // 2026-12-02-chat-node-2-is-down, when no other post's slug starts so.
  const prefixed = files.filter((entry) => {
    const slug = slugOf(entry.file).toLowerCase();
    return slug.startsWith(key) || slug.replace(/^\d{4}-\d{2}-\d{2}-/, '').startsWith(key);
  });
  if (exact.length === 0 && undated.length === 0 && prefixed.length === 1) return prefixed[0]!;
  const several = exact.length > 1 ? exact : undated.length > 1 ? undated : prefixed;
  if (several.length > 1) {
    throw new StatuspostError('SP_USAGE', `${command}: "${wanted}" names ${several.length} posts`, { hint: `give the whole slug: ${several.map((entry) => slugOf(entry.file)).join(', ')}` });
  }
  const slugs = files.map((entry) => slugOf(entry.file));
  const meant = closest(wanted, slugs) ?? closest(wanted, slugs.map((slug) => slug.replace(/^\d{4}-\d{2}-\d{2}-/, '')));
  throw new StatuspostError('SP_USAGE', `${command}: no post has the slug "${wanted}"`, {
    hint: `${meant ? `did you mean "${meant}"? ` : ''}run \`statuspost list\` to see the posts and their slugs`,
  });
}
