// Child process for the publish crash test: builds and publishes complete sites in a loop until killed.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newBuildFolder, publish } from '../../src/publish/swap.ts';

const published = process.argv[2]!;
for (let round = 0; ; round++) {
  const folder = await newBuildFolder(published, Date.now() + round);
  for (let i = 0; i < 20; i++) await writeFile(join(folder, `page-${String(i).padStart(2, '0')}.html`), `build-${round} page ${i}`);
  await publish(folder, published, 3);
  if (round === 0) process.stdout.write('published\n');
}
