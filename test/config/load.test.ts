import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { formatError } from '../../src/errors.ts';
import { tempProject } from '../helpers/temp.ts';

const site = ['title: Chat status', 'baseUrl: https://status.example.org', ''].join('\n');
const components = [
  'groups:',
  '  - id: data',
  '    name: Data',
  'components:',
  '  - id: cache',
  '    name: Cache',
  '    group: data',
  '  - id: database',
  '    name: Database',
  '    group: data',
  '',
].join('\n');

/** A project with the site and components above plus `files`, loaded: its root and what loadConfig gave. */
async function loadProject(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, ...files });
  return { root, ...(await loadConfig(root, env)) };
}

async function problemsOf(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const { problems } = await loadProject(files, env);
  return problems.map(formatError);
}

describe('loadConfig', () => {
  it('loads a valid project with defaults applied and durations in milliseconds', async () => {
    const { config, problems } = await loadProject({
      'probes/checks/data.yaml': [
        'checks:',
        '  - id: cache-port',
        '    component: cache',
        '    kind: tcp',
        '    host: cache.internal.example',
        '    port: 6379',
        '    schedule: 30s',
        '    timeout: 2s',
        '',
      ].join('\n'),
    });
    expect(problems).toEqual([]);
    expect(config?.site).toMatchObject({ timezone: 'UTC', location: 'local', concurrency: 16, store: { engine: 'sqlite' } });
    expect(config?.checks).toEqual([
      expect.objectContaining({
        id: 'cache-port',
        kind: 'tcp',
        timeoutMs: 2_000,
        retryDelayMs: 1_000,
        schedule: { cron: expect.stringMatching(/^([0-9]|[12][0-9])-59\/30 \* \* \* \* \*$/), intervalMs: 30_000, interval: true },
        confirm: { down: 2, up: 1 },
        public: false,
      }),
    ]);
    expect(config?.privateValues).toContain('cache.internal.example');
  });

  it('reads relative file paths in checks as under the project root, whatever the working folder', async () => {
    const { root, config, problems } = await loadProject({
      'probes/checks/files.yaml': [
        'checks:',
        '  - { id: share, component: database, kind: filesystem, path: data/share }',
        '  - { id: share-abs, component: database, kind: filesystem, path: /mnt/share }',
        '  - { id: cert, component: cache, kind: tls, host: cache.example.org, ca: certs/ca.pem }',
        '  - { id: page, component: cache, kind: http, url: "https://cache.example.org/", tls: { ca: ./certs/ca.pem } }',
        '',
      ].join('\n'),
    });
    expect(problems).toEqual([]);
    const byId = Object.fromEntries(config!.checks.map((check) => [check.id, check]));
    expect(byId.share).toMatchObject({ path: `${root}/data/share` });
    expect(byId['share-abs']).toMatchObject({ path: '/mnt/share' });
    expect(byId.cert).toMatchObject({ ca: `${root}/certs/ca.pem` });
    expect(byId.page).toMatchObject({ tls: { ca: `${root}/certs/ca.pem` } });
  });

  it('names the file, line and column of an unknown key and suggests the right one', async () => {
    const problems = await problemsOf({
      'probes/checks/data.yaml': ['checks:', '  - id: cache-port', '    component: cache', '    kind: tcp', '    host: h.example', '    port: 6379', '    timeuot: 2s', ''].join('\n'),
    });
    expect(problems).toEqual([
      'probes/checks/data.yaml:7:5  checks.0.timeuot: unknown key "timeuot" [SP_CONFIG_INVALID]\n  hint: did you mean "timeout"?',
    ]);
  });

  it('reports every problem in every file in one run', async () => {
    const problems = await problemsOf({
      'probes/site.yaml': ['title: Chat status', 'baseUrl: not a url', 'timezone: Mars/Olympus', 'concurrency: 0', ''].join('\n'),
      'probes/checks/a.yaml': ['checks:', '  - id: one', '    component: cache', '    kind: tcp', '    host: h.example', '    port: 70000', ''].join('\n'),
      'probes/checks/b.yaml': ['checks:', '  - id: two', '    component: cache', '    kind: htp', ''].join('\n'),
    });
    expect(problems).toEqual([
      'probes/site.yaml:2:10  baseUrl: must be an absolute http(s) URL, e.g. https://status.example.org [SP_CONFIG_INVALID]',
      'probes/site.yaml:3:11  timezone: must be an IANA time zone, e.g. UTC, Europe/Paris or America/Los_Angeles [SP_CONFIG_INVALID]',
      'probes/site.yaml:4:14  concurrency: must be at least 1 [SP_CONFIG_INVALID]',
      'probes/checks/a.yaml:6:11  checks.0.port: must be a port number, 1 to 65535 [SP_CONFIG_INVALID]',
      'probes/checks/b.yaml:4:11  checks.0.kind: unknown probe kind "htp" [SP_CONFIG_INVALID]\n  hint: kind must be one of http, tcp, tls, dns, redis, postgres, filesystem, ntp',
    ]);
  });

  it('reports a missing required value at the item that lacks it', async () => {
    const problems = await problemsOf({
      'probes/checks/a.yaml': ['checks:', '  - id: one', '    component: cache', '    kind: tcp', '    port: 6379', ''].join('\n'),
    });
    expect(problems).toEqual(['probes/checks/a.yaml:2:5  checks.0.host: is required [SP_CONFIG_INVALID]']);
  });

  it('rejects a value of the wrong type and says what it got', async () => {
    const problems = await problemsOf({
      'probes/checks/a.yaml': ['checks:', '  - id: one', '    component: cache', '    kind: tcp', '    host: h.example', '    port: 6379', '    retries: many', ''].join('\n'),
    });
    expect(problems).toEqual(['probes/checks/a.yaml:7:14  checks.0.retries: must be a number, not a string ("many") [SP_CONFIG_INVALID]']);
  });

  it('rejects a duration without a unit and a schedule that cannot run at even instants', async () => {
    const problems = await problemsOf({
      'probes/checks/a.yaml': [
        'checks:',
        '  - id: one',
        '    component: cache',
        '    kind: tcp',
        '    host: h.example',
        '    port: 6379',
        '    timeout: "10"',
        '    schedule: 7s',
        '',
      ].join('\n'),
    });
    expect(problems).toEqual([
      'probes/checks/a.yaml:8:15  checks.0.schedule: schedule "7s" cannot run at even clock instants; an interval must divide a minute, an hour or a day evenly: 5s, 10s, 15s, 20s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 6h, 12h, 1d [SP_CONFIG_INVALID]',
      'probes/checks/a.yaml:7:14  checks.0.timeout: "10" is not a duration; write it with a unit, e.g. 10s, 250ms or 5m [SP_CONFIG_INVALID]',
    ]);
  });

  it('accepts a cron expression and rejects a broken one with node-cron\'s reason', async () => {
    const ok = await problemsOf({
      'probes/checks/a.yaml': ['checks:', '  - id: one', '    component: cache', '    kind: tcp', '    host: h.example', '    port: 6379', '    schedule: "*/5 * * * *"', ''].join('\n'),
    });
    expect(ok).toEqual([]);
    const bad = await problemsOf({
      'probes/checks/a.yaml': ['checks:', '  - id: one', '    component: cache', '    kind: tcp', '    host: h.example', '    port: 6379', '    schedule: "61 * * * * *"', ''].join('\n'),
    });
    expect(bad).toEqual([
      'probes/checks/a.yaml:7:15  checks.0.schedule: "61 * * * * *" is neither an interval (e.g. 30s) nor a valid cron expression (61 is a invalid expression for second) [SP_CONFIG_INVALID]',
    ]);
  });

  it('reports a YAML syntax error with its line', async () => {
    const problems = await problemsOf({ 'probes/checks/a.yaml': ['checks:', '  - id: one', '    component: [cache', ''].join('\n') });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^probes\/checks\/a\.yaml:\d+:\d+ {2}YAML syntax: .+ \[SP_YAML_SYNTAX\]/);
  });

  it('names a missing required file and how to create it', async () => {
    const root = await tempProject({ 'probes/site.yaml': site });
    const { problems } = await loadConfig(root, {});
    expect(problems.map(formatError)).toEqual([
      'probes/components.yaml  cannot read probes/components.yaml (ENOENT) [SP_CONFIG_MISSING]\n  hint: run `statuspost init` to create a project here (it overwrites nothing), or pass --root DIR for the folder that holds probes/',
    ]);
  });

  describe('environment references', () => {
    const redisCheck = (password: string) =>
      ['checks:', '  - id: cache-port', '    component: cache', '    kind: tcp', `    host: "${password}"`, '    port: 6379', ''].join('\n');

    it('expands ${VAR} in string values after parsing and marks the value private', async () => {
      const { config, problems } = await loadProject({ 'probes/checks/a.yaml': redisCheck('${CACHE_HOST}') }, { CACHE_HOST: 'redis-7.internal.example' });
      expect(problems).toEqual([]);
      expect(config?.checks[0]).toMatchObject({ host: 'redis-7.internal.example' });
      expect(config?.privateValues).toContain('redis-7.internal.example');
    });

    it('never lets an environment value inject YAML', async () => {
      const { config } = await loadProject({ 'probes/checks/a.yaml': redisCheck('${CACHE_HOST}') }, { CACHE_HOST: 'x\n    port: 1\n    public: true' });
      expect(config?.checks[0]).toMatchObject({ host: 'x\n    port: 1\n    public: true', port: 6379, public: false });
    });

    it('names the missing variable and its line', async () => {
      const problems = await problemsOf({ 'probes/checks/a.yaml': redisCheck('${CACHE_HOST}') });
      expect(problems).toEqual([
        'probes/checks/a.yaml:5:11  environment variable CACHE_HOST is not set [SP_ENV_MISSING]\n  hint: set CACHE_HOST in the environment of statuspost, or give a default: ${CACHE_HOST:-value}; secrets never go in probes/*.yaml',
      ]);
    });

    it('uses the default of ${VAR:-default} when the variable is unset, and does not treat it as a secret', async () => {
      const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, 'probes/checks/a.yaml': redisCheck('${CACHE_HOST:-cache.example.test}').replace('port: 6379', 'port: ${CACHE_PORT:-6380}') });
      const unset = await loadConfig(root, {});
      expect(unset.problems).toEqual([]);
      expect(unset.config?.checks[0]).toMatchObject({ host: 'cache.example.test', port: 6380 });
      const set = await loadConfig(root, { CACHE_PORT: '7000' });
      expect(set.config?.checks[0]).toMatchObject({ port: 7000 });
      expect(set.config?.privateValues).toContain('7000');
    });

    it('keeps $${ as a literal', async () => {
      const { config } = await loadProject({ 'probes/checks/a.yaml': redisCheck('a$${B}') });
      expect(config?.checks[0]).toMatchObject({ host: 'a${B}' });
    });

    it('refuses a password written in the file', async () => {
      const problems = await problemsOf({
        'probes/checks/a.yaml': ['checks:', '  - id: cache', '    component: cache', '    kind: redis', '    host: h.example', '    password: hunter22', ''].join('\n'),
      });
      expect(problems).toEqual([
        'probes/checks/a.yaml:6:15  password: a secret written in the file [SP_CONFIG_INVALID]\n  hint: write it as an environment reference, e.g. password: ${REDIS_PASSWORD}; secrets never go in probes/*.yaml',
      ]);
    });
  });

  describe('cross-file rules', () => {
    const tcp = (id: string, component: string) =>
      [`  - id: ${id}`, `    component: ${component}`, '    kind: tcp', '    host: h.example', '    port: 1'].join('\n');

    it('refuses a check of an unknown component and lists the known ones', async () => {
      const problems = await problemsOf({ 'probes/checks/a.yaml': ['checks:', tcp('one', 'cahce'), ''].join('\n') });
      expect(problems).toEqual([
        'probes/checks/a.yaml:3:16  check "one" belongs to unknown component "cahce" [SP_CONFIG_INVALID]\n  hint: known components: cache, database',
      ]);
    });

    it('refuses a check id used twice, across files, and points at the first', async () => {
      const problems = await problemsOf({
        'probes/checks/a.yaml': ['checks:', tcp('one', 'cache'), ''].join('\n'),
        'probes/checks/b.yaml': ['checks:', tcp('two', 'cache'), tcp('one', 'database'), ''].join('\n'),
      });
      expect(problems).toEqual([
        'probes/checks/b.yaml:7:9  check id "one" is used twice [SP_CONFIG_INVALID]\n  hint: ids must be unique; the first "one" is at probes/checks/a.yaml:2:9',
      ]);
    });

    it('refuses a component in an unknown group', async () => {
      const root = await tempProject({
        'probes/site.yaml': site,
        'probes/components.yaml': ['components:', '  - id: cache', '    name: Cache', '    group: dta', ''].join('\n'),
      });
      const { problems } = await loadConfig(root, {});
      expect(problems.map(formatError)).toEqual([
        'probes/components.yaml:4:12  component "cache" is in unknown group "dta" [SP_CONFIG_INVALID]\n  hint: declare it under `groups:` in probes/components.yaml',
      ]);
    });
  });

  describe('the header: logo and homepage', () => {
    const withHeader = (...rows: string[]) => ['title: Chat status', 'baseUrl: https://status.example.org', ...rows, ''].join('\n');

    it('accepts a logo in public/ and the team\'s homepage', async () => {
      const { config, problems } = await loadProject({
        'probes/site.yaml': withHeader('logo: brand/logo.svg', 'homepage: https://www.example.org'),
        'public/brand/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
      });
      expect(problems).toEqual([]);
      expect(config?.site).toMatchObject({ logo: 'brand/logo.svg', homepage: 'https://www.example.org' });
    });

    it('names the line of a logo that is not in public/', async () => {
      expect(await problemsOf({ 'probes/site.yaml': withHeader('logo: logo.png') })).toEqual([
        'probes/site.yaml:3:7  logo: cannot read public/logo.png: it does not exist, or is a link to nothing (ENOENT) [SP_CONFIG_INVALID]\n  hint: put the SVG or PNG in public/ beside probes/ (logo: logo.svg means public/logo.svg), or remove logo: from probes/site.yaml',
      ]);
    });

    it.each([
      { logo: 'logo.gif', name: 'another format' },
      { logo: '../secrets/logo.svg', name: 'a path out of public/' },
      { logo: '/etc/logo.svg', name: 'an absolute path' },
    ])('refuses $name with its position', async ({ logo }) => {
      expect(await problemsOf({ 'probes/site.yaml': withHeader(`logo: ${logo}`, 'homepage: www.example.org') })).toEqual([
        'probes/site.yaml:3:7  logo: must be the path of an SVG or PNG file inside public/, e.g. logo.svg for public/logo.svg [SP_CONFIG_INVALID]',
        'probes/site.yaml:4:11  homepage: must be an absolute http(s) URL, e.g. https://www.example.org [SP_CONFIG_INVALID]',
      ]);
    });

    it('refuses a logo too big to send with every page', async () => {
      expect(await problemsOf({ 'probes/site.yaml': withHeader('logo: logo.svg'), 'public/logo.svg': `<svg>${' '.repeat(100_001)}</svg>` })).toEqual([
        'probes/site.yaml:3:7  logo: public/logo.svg is 100,012 bytes; a logo may be at most 100,000 [SP_CONFIG_INVALID]\n  hint: put the SVG or PNG in public/ beside probes/ (logo: logo.svg means public/logo.svg), or remove logo: from probes/site.yaml',
      ]);
    });
  });
});
