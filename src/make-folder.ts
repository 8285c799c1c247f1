// mkdir -p, one level at a time. Node 20's recursive mkdir spins forever where mkdir(2) answers
// ENOENT under a parent that exists (/proc/foo), and reports ENOENT for any parent it cannot make
// (a read-only file system, no permission); level by level it ends, with the real error.
import { mkdir, stat } from 'node:fs/promises';
import { join, parse, sep } from 'node:path';

/** Makes `folder` and any missing parents; throws the first real error (EROFS, EACCES, ENOTDIR for a file in the way…). */
export async function makeFolder(folder: string): Promise<void> {
  const { root } = parse(folder);
  let path = root;
  for (const part of folder.slice(root.length).split(sep).filter(Boolean)) {
    path = join(path, part);
    try {
      await mkdir(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Something is there: fine if it is a folder (or a link to one), not if it is a file.
      if (!(await stat(path)).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', syscall: 'mkdir', path });
    }
  }
}

