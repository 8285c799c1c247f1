// `statuspost init [DIR]`: a new project, valid as written: `check` passes on it at once, its one
// check works on any machine, and `build` publishes it. It never overwrites a file.
import { existsSync } from 'node:fs';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { isTimeZone } from '../../config/schema.ts';
import { StatuspostError } from '../../errors.ts';
import { makeFolder } from '../../make-folder.ts';
import { composePost } from '../../posts/compose.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';

export const initCommand: Command = {
  summary: 'create a new project: probes/, content/ and a .gitignore, valid as written',
  usage: `Usage: statuspost init [DIR] [--root DIR] [--json]

Creates a project in DIR (default: the current folder; made if missing) that \`statuspost check\`
accepts as written:

  probes/site.yaml              the site's title, address (http://127.0.0.1:4321, what
                                \`statuspost serve\` uses), time zone (this machine's) and store
  probes/components.yaml        one component, "Disk"
  probes/checks/disk.yaml       one check that works on any machine: a canary file written, synced,
                                read back and removed in the project folder; and, commented out, an
                                http check to copy for your own service
  probes/notify.yaml            alerts and notifications, all commented out (nothing is sent): an
                                email target and a route to copy
  content/incidents/…md         an example incident, resolved, with a postmortem, dated three hours
                                before now
  content/maintenance/.gitkeep  where maintenance notices go (\`statuspost new maintenance\`)
  .gitignore                    the store (data/) and the published site, which statuspost makes;
                                an existing .gitignore gets the lines it lacks

A file that exists already is never overwritten: init then writes nothing at all.

  --root DIR   the same as DIR
  --json       print {"root": …, "created": […], "gitignore": "created"|"appended"|"unchanged"}

Exit codes: 0 created, 1 a file exists already (nothing was written), 2 bad usage.`,
  async run(argv) {
    const args = parseCommandArgs('init', argv, {}, true);
    if (args.positionals.length > 1) {
      throw new StatuspostError('SP_USAGE', `init: give one folder, not ${args.positionals.length}`, { hint: 'quote a folder name with spaces' });
    }
    if (args.positionals.length === 1 && args.values.root !== undefined) {
      throw new StatuspostError('SP_USAGE', 'init: give the folder once: as DIR or as --root, not both');
    }
    const given = args.positionals[0];
    const root = given === undefined ? args.root : resolve(given);
    const output = createOutput(args.json);

    const files = scaffold(root, Date.now(), localZone());
    await makeProjectFolder(root, root);
    const existing = Object.keys(files).filter((file) => existsSync(join(root, file)));
    if (existing.length > 0) {
      throw new StatuspostError('SP_PROJECT_EXISTS', `init: ${existing.join(', ')} ${existing.length === 1 ? 'exists' : 'exist'} already in ${root}; nothing was written`, {
        hint: 'run init in a new folder (`statuspost init my-status`), or edit the project that is there',
      });
    }
    for (const [file, text] of Object.entries(files)) {
      await makeProjectFolder(dirname(join(root, file)), root);
      await writeFile(join(root, file), text, { flag: 'wx' });
    }
    const gitignore = await updateGitignore(root);

    const created = [...Object.keys(files), ...(gitignore === 'created' ? ['.gitignore'] : [])];
    if (args.json) {
      output.data({ root, created, gitignore });
      return ExitCode.ok;
    }
    output.line(`created a statuspost project in ${root}:`);
    for (const file of created) output.line(`  ${file}`);
    if (gitignore === 'appended') output.line('  .gitignore (lines added for the store and the published site)');
    const cd = relative(process.cwd(), root);
    output.line('\nNext:');
    if (cd !== '') output.line(`  cd ${/^[\w./-]+$/.test(cd) ? cd : JSON.stringify(cd)}`);
    output.line('  statuspost check          validate probes/ and content/');
    output.line('  statuspost probe --once   run the check once');
    output.line('  statuspost build          build the site into public-site/');
    output.line('  statuspost serve          serve it on http://127.0.0.1:4321/');
    output.line('Then replace the disk check with checks of your own service (probes/checks/disk.yaml shows one).');
    return ExitCode.ok;
  },
};

/** mkdir -p (see make-folder.ts); a folder that cannot be made is bad usage. */
async function makeProjectFolder(folder: string, root: string): Promise<void> {
  const cannot = (why: string) => new StatuspostError('SP_USAGE', `init: cannot make a project in ${root}: ${why}`, { hint: 'give a folder you can write, e.g. `statuspost init my-status`' });
  let at = folder;
  while (!existsSync(at)) at = dirname(at);
  if (!(await stat(at)).isDirectory()) throw cannot(`${at} is a file, not a folder`);
  try {
    await makeFolder(folder);
  } catch (error) {
    throw cannot(`${folder} cannot be made (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The machine's zone for the site and the example post; UTC when it has none that IANA knows. */
function localZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return typeof zone === 'string' && isTimeZone(zone) ? zone : 'UTC';
}

/** "my-status" → "My status"; "acme" → "Acme status". */
function titleFor(root: string): string {
  const words = basename(root).replace(/[-_.]+/g, ' ').trim() || 'Service';
  const title = `${words[0]!.toUpperCase()}${words.slice(1)}`;
  return /\bstatus$/i.test(title) ? title : `${title} status`;
}

const scalar = (value: string) => stringify(value, { lineWidth: 0 }).trimEnd();

function scaffold(root: string, now: number, zone: string): Record<string, string> {
  // Three hours ago, so every time in the example, the postmortem's included, is in the past.
  const start = now - 3 * 3_600_000;
  const minute = 60_000;
  const post = composePost({
    kind: 'incident',
    title: 'Example: slow writes to the disk',
    zone,
    start,
    components: ['disk'],
    impact: 'minor',
    status: 'degraded_performance',
    updates: [
      { at: start + 5 * minute, status: 'investigating', body: 'Saving takes several seconds. We are looking into it.' },
      { at: start + 20 * minute, status: 'identified', body: 'Old log files filled the disk. We are removing them.' },
      { at: start + 45 * minute, status: 'resolved', body: 'The disk has room again and saving is fast.' },
    ],
    postmortem: {
      at: start + 2 * 3_600_000,
      body: [
        '## What happened',
        '',
        'Nothing: this is an example written by `statuspost init`, so that the site has a post to show.',
        'Delete this file once you have written your own, or keep it as a model.',
        '',
        'A post is Markdown with YAML front matter. The updates come in time order and the last one says',
        '`resolved`; the body, like this one, is the postmortem, published at `postmortemAt`.',
        '`statuspost new incident --title "…" --components disk` starts a new post, valid as written.',
      ].join('\n'),
    },
  });
  return {
    'probes/site.yaml': `# The status site. Every key is described in the README ("site.yaml").
title: ${scalar(titleFor(root))}
description: Live status of our services, scheduled maintenance and postmortems.
# Where the site is published. http://127.0.0.1:4321 is where \`statuspost serve\` serves it.
baseUrl: http://127.0.0.1:4321
# Pages show times in this zone beside UTC (an IANA name).
timezone: ${scalar(zone)}
# The page header can show your logo (an SVG or PNG in public/) and link to your own site:
#   logo: logo.svg
#   homepage: https://www.example.org
# The history of every check: one SQLite file, nothing to set up. Or PostgreSQL:
#   store: { engine: postgres, url: \${DATABASE_URL}, schema: statuspost }
store:
  engine: sqlite
  path: data/statuspost.db
retention: 30d
`,
    'probes/components.yaml': `# The parts of your service that people care about, in the order the page shows them. Ids are
# lowercase letters, digits and dashes; each check in probes/checks/ names the component it speaks for.
# Groups are optional:
#   groups:
#     - id: backend
#       name: Backend
components:
  - id: disk
    name: Disk
    description: The disk this status page is recorded and published on.
`,
    'probes/checks/disk.yaml': `# Checks, any number per file. This one works on any machine: a canary file is written, synced,
# read back and removed in the project folder (a relative path is under the project).
checks:
  - id: disk-canary
    name: Disk canary
    component: disk
    kind: filesystem
    path: .
    schedule: 60s
    # minFree: 10%        degraded below this much free space

# A check of your own website, to copy into a file of its own (and give it a component):
#  - id: website-home
#    name: Home page
#    component: website
#    kind: http
#    url: https://www.example.org/
#    expect: { status: [200] }
#    degradedAfter: 2s
`,
    'probes/notify.yaml': `# Alerts to operators and notifications to subscribers. All commented out, so nothing is sent;
# every key is described in the README ("Notifications"). \`statuspost notify --help\` lists the
# providers and their keys, and \`statuspost notify test\` sends a test message to each target.
# Credentials (webhook URLs, tokens, passwords: the keys --help marks "env") must be \${ENV_VAR}:
# this file goes into git. Set SMTP_PASSWORD and SLACK_WEBHOOK_URL where statuspost runs.
#
# targets:
#   ops-mail:
#     kind: email
#     host: smtp.example.org
#     requireTLS: true
#     user: alerts@example.org
#     password: \${SMTP_PASSWORD}
#     from: "Status <status@example.org>"
#     to: [oncall@example.org]
#   ops-slack:
#     kind: slack
#     url: \${SLACK_WEBHOOK_URL}
# routes:
#   - targets: [ops-mail, ops-slack]
#     remindEvery: 1h
`,
    [post.file]: post.text,
    'content/maintenance/.gitkeep': '',
  };
}

const IGNORED = ['data/', '/public-site', '/public-site.next-*', '/.public-site.builds/', '.statuspost-canary-*'];

/** A new .gitignore, or the lines an existing one lacks appended to it. */
async function updateGitignore(root: string): Promise<'created' | 'appended' | 'unchanged'> {
  const path = join(root, '.gitignore');
  const heading = '# Made by statuspost as it runs: the history store, the published site and its builds.';
  if (!existsSync(path)) {
    await writeFile(path, `${heading}\n${IGNORED.join('\n')}\n`, { flag: 'wx' });
    return 'created';
  }
  const text = await readFile(path, 'utf8');
  const present = new Set(text.split(/\r?\n/).map((line) => line.trim()));
  const missing = IGNORED.filter((line) => !present.has(line));
  if (missing.length === 0) return 'unchanged';
  await appendFile(path, `${text === '' || text.endsWith('\n') ? '' : '\n'}${heading}\n${missing.join('\n')}\n`);
  return 'appended';
}
