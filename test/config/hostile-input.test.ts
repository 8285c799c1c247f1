// Hostile and careless input to probes/ (issue 15): positioned problems, never a throw, and never
// a value from the environment in a message.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { formatError } from '../../src/errors.ts';
import { aliasBomb } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

const site = 'title: Chat status\nbaseUrl: https://status.example.org\n';
const components = 'components:\n  - id: cache\n    name: Cache\n';

async function problemsOf(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, ...files });
  return (await loadConfig(root, env)).problems.map(formatError);
}

/** One check of `kind` with its other keys as written YAML lines. */
const checkFile = (kind: string, ...keys: string[]) =>
  ['checks:', '  - id: one', '    component: cache', `    kind: ${kind}`, ...keys.map((key) => `    ${key}`), ''].join('\n');

describe('loadConfig with hostile input', () => {
  it('refuses a YAML alias bomb at the alias that passes the limit', async () => {
    const problems = await problemsOf({ 'probes/checks/a.yaml': [...aliasBomb('x-'), 'checks: []', ''].join('\n') });
    expect(problems).toEqual([
      'probes/checks/a.yaml:4:10  YAML aliases expand too far: *c here would make more than 100 copies [SP_YAML_SYNTAX]\n' +
        '  hint: write the values out instead of nesting aliases of aliases; statuspost refuses documents that grow like a "billion laughs"',
    ]);
  });

  it('refuses a probes/ file over 1 MiB and one that is not UTF-8, each at its position', async () => {
    const big = `checks: []\n#${'x'.repeat(1024 * 1024)}\n`;
    const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, 'probes/checks/big.yaml': big });
    await writeFile(join(root, 'probes/checks/latin1.yaml'), Buffer.concat([Buffer.from(checkFile('tcp', 'host: h.example', 'port: 1', 'name: Caf').trimEnd()), Buffer.from([0xe9])]));
    expect((await loadConfig(root, {})).problems.map(formatError)).toEqual([
      'probes/checks/big.yaml:1:1  the file is 1.0 MiB; a file in probes/ may be at most 1.0 MiB [SP_CONFIG_INVALID]\n  hint: split the checks over several files in probes/checks/',
      'probes/checks/latin1.yaml:7:14  the file is not valid UTF-8: byte 0xE9 here is not part of a character [SP_CONFIG_INVALID]\n  hint: save the file as UTF-8; statuspost publishes no text it cannot read',
    ]);
  });
});


describe('loadConfig: durations within what makes sense and what timers can wait', () => {
  it.each([
    { key: 'timeout: 25d', column: 14, message: 'checks.0.timeout: must be between 100ms and 5m, not "25d"', why: 'timeout' },
    { key: 'timeout: 99999999999999999999d', column: 14, message: 'checks.0.timeout: must be between 100ms and 5m, not "99999999999999999999d"', why: 'timeout' },
    { key: 'timeout: 0s', column: 14, message: 'checks.0.timeout: must be between 100ms and 5m, not "0s"', why: 'timeout' },
    { key: 'retryDelay: 0ms', column: 17, message: 'checks.0.retryDelay: must be between 10ms and 5m, not "0ms"', why: 'retryDelay' },
  ])('refuses $key at its position, saying the range and why', async ({ key, column, message, why }) => {
    const hints = {
      timeout: 'a probe needs time for at least one round trip, and a target that takes longer than 5 minutes to answer is down',
      retryDelay: 'retries come soon after a failure, within the same schedule interval',
    };
    expect(await problemsOf({ 'probes/checks/a.yaml': checkFile('tcp', 'host: h.example', 'port: 1', key) })).toEqual([
      `probes/checks/a.yaml:7:${column}  ${message} [SP_CONFIG_INVALID]\n  hint: ${hints[why as keyof typeof hints]}`,
    ]);
  });

  it('refuses an HTTP degradedAfter that no timer can wait for', async () => {
    expect(await problemsOf({ 'probes/checks/a.yaml': checkFile('http', 'url: https://h.example/', 'degradedAfter: 30d') })).toEqual([
      'probes/checks/a.yaml:6:20  checks.0.degradedAfter: must be between 1ms and 24d, not "30d" [SP_CONFIG_INVALID]\n' +
        '  hint: a zero duration means nothing, and timers cannot wait longer than 24.8 days',
    ]);
  });

  it('refuses a retention too short for the day\'s roll-up or beyond ten years', async () => {
    for (const [retention, range] of [['1h', '1h'], ['99999999999999999999d', '99999999999999999999d']]) {
      const root = await tempProject({ 'probes/site.yaml': `${site}retention: ${retention}\n`, 'probes/components.yaml': components });
      expect((await loadConfig(root, {})).problems.map(formatError)).toEqual([
        `probes/site.yaml:3:12  retention: must be between 2d and 3650d, not "${range}" [SP_CONFIG_INVALID]\n` +
          "  hint: raw results of the current day in every time zone are needed for its roll-up, and ten years is longer than any history a status page shows",
      ]);
    }
  });

  it('accepts the edges of each range', async () => {
    const root = await tempProject({
      'probes/site.yaml': `${site}retention: 3650d\n`,
      'probes/components.yaml': components,
      'probes/checks/a.yaml': [checkFile('tcp', 'host: h.example', 'port: 1', 'timeout: 100ms', 'retryDelay: 5m'), checkFile('tcp', 'host: h.example', 'port: 1', 'timeout: 5m', 'retryDelay: 10ms').replace('checks:\n', '').replace('id: one', 'id: two')].join(''),
    });
    const { config, problems } = await loadConfig(root, {});
    expect(problems).toEqual([]);
    expect(config?.checks.map((check) => [check.timeoutMs, check.retryDelayMs])).toEqual([[100, 300_000], [300_000, 10]]);
  });
});

describe('loadConfig: TLS warning days', () => {
  it('refuses more warning days than any certificate lives', async () => {
    expect(await problemsOf({ 'probes/checks/a.yaml': checkFile('tls', 'host: h.example', 'warnDays: 3650') })).toEqual([
      'probes/checks/a.yaml:6:15  checks.0.warnDays: must be at most 398: no public certificate is valid longer, so the check would always warn [SP_CONFIG_INVALID]',
    ]);
  });
});

describe('loadConfig: filesystem check paths', () => {
  it.each(['../../../tmp/share', 'data/../../share', '..'])('refuses the relative path %s that climbs out of the project', async (path) => {
    expect(await problemsOf({ 'probes/checks/a.yaml': checkFile('filesystem', `path: ${path}`) })).toEqual([
      'probes/checks/a.yaml:5:11  checks.0.path: a relative path must stay inside the project folder; write an absolute path (e.g. /mnt/share) for a folder elsewhere [SP_CONFIG_INVALID]',
    ]);
  });

  it('accepts a relative path inside the project, the project itself, and an absolute path anywhere', async () => {
    for (const path of ['data/share', './data/../share', '.', '/mnt/share', '/tmp/../mnt/share']) {
      expect(await problemsOf({ 'probes/checks/a.yaml': checkFile('filesystem', `path: ${path}`) }), path).toEqual([]);
    }
  });
});

describe('loadConfig: values from the environment are never printed', () => {
  const SECRET = 'tok-9f8e7d6c5b4a';

  it.each([
    {
      name: 'an unknown probe kind',
      file: checkFile('${PROBE_KIND}', 'host: h.example', 'port: 1'),
      env: { PROBE_KIND: SECRET },
      expected:
        'probes/checks/a.yaml:4:11  checks.0.kind: is not a probe kind (the value of ${PROBE_KIND}) [SP_CONFIG_INVALID]\n' +
        '  hint: kind must be one of http, tcp, tls, dns, redis, postgres, filesystem, ntp',
    },
    {
      name: 'a value that is not a duration',
      file: checkFile('tcp', 'host: h.example', 'port: 1', 'timeout: ${TIMEOUT}'),
      env: { TIMEOUT: SECRET },
      expected: 'probes/checks/a.yaml:7:14  checks.0.timeout: is not a duration; write it with a unit, e.g. 10s, 250ms or 5m (the value of ${TIMEOUT}) [SP_CONFIG_INVALID]',
    },
    {
      name: 'a string where a number belongs',
      file: checkFile('tcp', 'host: h.example', 'port: 1', 'retries: ${RETRIES}'),
      env: { RETRIES: SECRET },
      expected: 'probes/checks/a.yaml:7:14  checks.0.retries: must be a number, not a string (the value of ${RETRIES}) [SP_CONFIG_INVALID]',
    },
    {
      name: 'a duration out of range, written inside other text',
      file: checkFile('tcp', 'host: h.example', 'port: 1', 'timeout: "${TIMEOUT_DAYS}d"'),
      env: { TIMEOUT_DAYS: '25' },
      expected:
        'probes/checks/a.yaml:7:14  checks.0.timeout: must be between 100ms and 5m (the value of ${TIMEOUT_DAYS}d) [SP_CONFIG_INVALID]\n' +
        '  hint: a probe needs time for at least one round trip, and a target that takes longer than 5 minutes to answer is down',
    },
    {
      name: 'a schedule that is neither an interval nor cron',
      file: checkFile('tcp', 'host: h.example', 'port: 1', 'schedule: ${SCHEDULE}'),
      env: { SCHEDULE: `61 ${SECRET}` },
      expected:
        'probes/checks/a.yaml:7:15  checks.0.schedule: is not a usable schedule: give an interval that divides a minute, an hour or a day (30s, 5m, 1h), or a cron expression (the value of ${SCHEDULE}) [SP_CONFIG_INVALID]',
    },
    {
      name: 'a postgres url that is not a connection string',
      file: checkFile('postgres', 'url: ${PG_URL}'),
      env: { PG_URL: SECRET },
      expected:
        'probes/checks/a.yaml:5:10  checks.0.url: must be a postgres:// or postgresql:// connection string, e.g. postgres://statuspost@db.internal.example:5432/status (the value of ${PG_URL}) [SP_CONFIG_INVALID]',
    },
    {
      name: 'an unknown component quoted by a cross-file rule',
      file: checkFile('tcp', 'host: h.example', 'port: 1').replace('component: cache', 'component: ${COMPONENT}'),
      env: { COMPONENT: SECRET },
      expected: 'probes/checks/a.yaml:3:16  check "one" belongs to unknown component "${COMPONENT}" [SP_CONFIG_INVALID]\n  hint: known components: cache',
    },
  ])('names $name by its ${VAR}, never its value', async ({ file, env, expected }) => {
    const problems = await problemsOf({ 'probes/checks/a.yaml': file }, env);
    expect(problems).toEqual([expected]);
    for (const value of Object.values(env)) expect(problems.join('\n')).not.toContain(value === '25' ? '"25d"' : value);
  });

  it('refuses a store url from the environment that is not a postgres connection string, without printing it', async () => {
    const root = await tempProject({ 'probes/site.yaml': `${site}store:\n  engine: postgres\n  url: \${DATABASE_URL}\n`, 'probes/components.yaml': components });
    expect((await loadConfig(root, { DATABASE_URL: SECRET })).problems.map(formatError)).toEqual([
      'probes/site.yaml:5:8  store.url: must be a postgres:// or postgresql:// connection string, e.g. postgres://statuspost@db.internal.example:5432/status (the value of ${DATABASE_URL}) [SP_CONFIG_INVALID]',
    ]);
  });

  it('accepts postgres:// and postgresql:// urls, a socket folder in the query included', async () => {
    for (const url of ['postgres://statuspost@db.internal.example:5432/status', 'postgresql://u:p@127.0.0.1/test', 'postgres:///status?host=/var/run/postgresql']) {
      expect(await problemsOf({ 'probes/checks/a.yaml': checkFile('postgres', 'url: ${PG_URL}') }, { PG_URL: url }), url).toEqual([]);
    }
  });
});

describe('loadConfig: published names', () => {
  it('refuses a control character in the site title or a component name, which would break rss.xml', async () => {
    const root = await tempProject({
      'probes/site.yaml': 'title: "Chat\\x1b[31m status"\nbaseUrl: https://status.example.org\n',
      'probes/components.yaml': 'components:\n  - id: cache\n    name: "Cache\\0"\n',
    });
    expect((await loadConfig(root, {})).problems.map(formatError)).toEqual([
      'probes/site.yaml:1:8  title: contains the control character U+001B (escape), which pages and feeds cannot carry [SP_CONFIG_INVALID]',
      'probes/components.yaml:3:11  components.0.name: contains the control character U+0000 (NUL), which pages and feeds cannot carry [SP_CONFIG_INVALID]',
    ]);
  });
});

describe('loadConfig: which files are read', () => {
  it('reads checks files ending in .YAML or .Yml too, instead of dropping them', async () => {
    const root = await tempProject({
      'probes/site.yaml': site,
      'probes/components.yaml': components,
      'probes/checks/A.YAML': checkFile('tcp', 'host: h.example', 'port: 1'),
      'probes/checks/b.Yml': checkFile('tcp', 'host: h.example', 'port: 2').replace('id: one', 'id: two'),
    });
    const { config, problems, files } = await loadConfig(root, {});
    expect(problems).toEqual([]);
    expect(files).toEqual(['probes/site.yaml', 'probes/components.yaml', 'probes/checks/A.YAML', 'probes/checks/b.Yml']);
    expect(config?.checks.map((check) => check.id)).toEqual(['one', 'two']);
  });
});
