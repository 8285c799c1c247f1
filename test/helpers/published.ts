// Every text file of a published site (the folder `public-site` links to), by path, for tests that
// scan what was published: compressed copies and images are left out (their plain twins are read).
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';

export async function publishedTexts(folder: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !/\.(gz|br|png|woff2?)$/.test(entry.name)) texts.set(path, await readFile(path, 'utf8'));
    }
  };
  await walk(await realpath(folder));
  return texts;
}
