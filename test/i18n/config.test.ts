// site.yaml `language:` and the `--language` flag: a language we ship, or a positioned problem with a did-you-mean.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { formatError } from '../../src/errors.ts';
import { statuspost } from '../helpers/cli.ts';
import { tempProject } from '../helpers/temp.ts';

const components = 'components:\n  - id: cache\n    name: Cache\n';
const project = (language?: string) =>
  tempProject({
    'probes/site.yaml': `title: Chat status\nbaseUrl: https://status.example.org\n${language === undefined ? '' : `language: ${language}\n`}`,
    'probes/components.yaml': components,
  });

describe('site.yaml language', () => {
  it('defaults to English and takes German', async () => {
    expect((await loadConfig(await project(), {})).config?.site.language).toBe('en');
    expect((await loadConfig(await project('de'), {})).config?.site.language).toBe('de');
  });

  it.each([
    ['deutsch', 'did you mean "de"? languages: en (English), de (German: Deutsch)'],
    ['de-AT', 'did you mean "de"? languages: en (English), de (German: Deutsch)'],
    ['fr', 'languages: en (English), de (German: Deutsch)'],
  ])('refuses "%s" at its line and column, with the languages there are', async (written, hint) => {
    const { config, problems } = await loadConfig(await project(written), {});
    expect(config).toBeUndefined();
    expect(problems.map(formatError)).toEqual([`probes/site.yaml:3:11  language: unknown language "${written}" [SP_CONFIG_INVALID]\n  hint: ${hint}`]);
  });
});

describe('--language', () => {
  it('is bad usage for a language the site is not written in, with a did-you-mean, before anything is built', async () => {
    const root = await project();
    const ran = await statuspost(['build', '--root', root, '--language', 'German']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('build: --language must be a language the site is written in, not "German"');
    expect(ran.stderr).toContain('hint: did you mean "de"? languages: en (English), de (German: Deutsch)');
    const demo = await statuspost(['demo', '--once', '--root', root, '--language', 'fr']);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('demo: --language must be a language the site is written in, not "fr"');
  });
});
