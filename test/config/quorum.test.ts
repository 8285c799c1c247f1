// `quorum` on checks and components, and how it must fit site.locations: positioned problems.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { formatError } from '../../src/errors.ts';
import { tempProject } from '../helpers/temp.ts';

const site = (extra: string[] = []) => ['title: Chat status', 'baseUrl: https://status.example.org', ...extra, ''].join('\n');
const components = (quorum?: string) =>
  ['components:', '  - id: chat', '    name: Chat', ...(quorum ? [`    quorum: ${quorum}`] : []), '  - id: web', '    name: Web', ''].join('\n');
const checks = (quorum?: string) =>
  [
    'checks:',
    '  - id: chat-port',
    '    component: chat',
    '    kind: tcp',
    '    host: chat.internal.example',
    '    port: 5222',
    ...(quorum ? [`    quorum: ${quorum}`] : []),
    '  - id: web-port',
    '    component: web',
    '    kind: tcp',
    '    host: web.internal.example',
    '    port: 443',
    '',
  ].join('\n');

async function load(siteLines: string[], component?: string, check?: string) {
  const root = await tempProject({ 'probes/site.yaml': site(siteLines), 'probes/components.yaml': components(component), 'probes/checks/c.yaml': checks(check) });
  const { config, problems } = await loadConfig(root, {});
  return { config, problems: problems.map(formatError) };
}

describe('quorum in probes/', () => {
  it('reads majority and { min } on checks and components; absent stays absent', async () => {
    const { config, problems } = await load(['locations: [a, b, c]'], '{ min: 2 }', 'majority');
    expect(problems).toEqual([]);
    expect(config!.components.map((c) => c.quorum)).toEqual([{ min: 2 }, undefined]);
    expect(config!.checks.map((c) => c.quorum)).toEqual(['majority', undefined]);
    expect(config!.site.locations).toEqual(['a', 'b', 'c']);
  });

  it('refuses a min above the number of locations, where it was written', async () => {
    const { problems } = await load(['locations: [a, b, c]'], undefined, '{ min: 4 }');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('probes/checks/c.yaml:7');
    expect(problems[0]).toContain('check "chat-port" needs 4 locations to agree, but site.locations lists 3');
  });

  it('refuses quorum without site.locations, or with one location', async () => {
    const none = await load([], '{ min: 2 }');
    expect(none.problems).toHaveLength(1);
    expect(none.problems[0]).toContain('probes/components.yaml:4');
    expect(none.problems[0]).toContain('component "chat" sets quorum, but site.locations lists no locations');
    const one = await load(['locations: [a]'], undefined, 'majority');
    expect(one.problems[0]).toContain('check "chat-port" sets quorum, but site.locations lists only one location');
  });

  it('refuses a malformed rule', async () => {
    const { problems } = await load(['locations: [a, b]'], undefined, '{ min: 0 }');
    expect(problems.join('\n')).toContain('quorum');
    const other = await load(['locations: [a, b]'], 'most');
    expect(other.problems.join('\n')).toContain('components.0.quorum: does not match any allowed form');
  });

  it('wants a written site.location among site.locations, but not the default one', async () => {
    const written = await load(['location: d', 'locations: [a, b, c]']);
    expect(written.problems).toHaveLength(1);
    expect(written.problems[0]).toContain('site.location "d" is not one of site.locations (a, b, c)');
    expect(written.problems[0]).toContain('probes/site.yaml:3');
    expect((await load(['location: b', 'locations: [a, b, c]'])).problems).toEqual([]);
    expect((await load(['locations: [a, b, c]'])).problems).toEqual([]);
  });

  it('refuses a location listed twice', async () => {
    const { problems } = await load(['locations: [a, b, a]']);
    expect(problems[0]).toContain('site.locations lists "a" twice');
  });
});
