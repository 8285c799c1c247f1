// The status site. `statuspost build` calls Astro's build() with this project as the root and
// passes the output folder, the site URL and the data file per build; this file holds the rest.
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory', inlineStylesheets: 'always', concurrency: 4 },
  devToolbar: { enabled: false },
});
