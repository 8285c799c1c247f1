// Bad usage is exit 2 with a clear message and a hint (did-you-mean for a misspelt word), never an
// internal error; and nothing given on the command line is silently ignored.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { statuspost } from '../helpers/cli.ts';
import { tempProject } from '../helpers/temp.ts';

const TRACE = /\n\s+at |internal error/;

const project = () =>
  tempProject({
    'probes/site.yaml': 'title: Chat\nbaseUrl: https://status.example.org\n',
    'probes/components.yaml': 'components:\n  - id: cache\n    name: Cache\n  - id: database\n    name: Database\n',
  });

describe('statuspost usage errors', () => {
  it('suggests the command meant for a misspelt one', async () => {
    const { code, stderr } = await statuspost(['chek']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "chek" [SP_USAGE]\n  hint: did you mean "check"? commands: ');
  });

  it('suggests the kind meant for a misspelt `new` subcommand, and refuses a stray word after it', async () => {
    const root = await project();
    const typo = await statuspost(['new', 'incdent', '--title', 'x', '--components', 'cache', '--root', root]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('new: unknown kind "incdent" [SP_USAGE]\n  hint: did you mean "incident"?');
    const stray = await statuspost(['new', 'incident', 'now', '--title', 'x', '--components', 'cache', '--root', root]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('new: unexpected argument "now" [SP_USAGE]');
  });

  it('refuses a flag that belongs to the other kind of post instead of dropping it', async () => {
    const root = await project();
    const duration = await statuspost(['new', 'incident', '--title', 'x', '--components', 'cache', '--duration', '1h', '--root', root]);
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain('new incident: --duration is for maintenance only [SP_USAGE]');
    const impact = await statuspost(['new', 'maintenance', '--title', 'x', '--components', 'cache', '--start', '2030-01-05T22:00', '--impact', 'major', '--root', root]);
    expect(impact.code).toBe(2);
    expect(impact.stderr).toContain('new maintenance: --impact is for incidents only [SP_USAGE]');
    const misspelt = await statuspost(['new', 'incident', '--title', 'x', '--components', 'cache', '--status', 'major-outage', '--root', root]);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('new: --status must be one of operational, degraded_performance, partial_outage, major_outage, under_maintenance, not "major-outage" [SP_USAGE]\n  hint: did you mean major_outage?');
  });

  it('refuses publishing flags beside run --no-publish instead of ignoring them', async () => {
    const root = await project();
    const { code, stderr } = await statuspost(['run', '--no-publish', '--out', 'site', '--root', root]);
    expect(code).toBe(2);
    expect(stderr).toContain('run: --out has no effect with --no-publish [SP_USAGE]');
  });

  it('takes `help COMMAND` for `COMMAND --help`, with a did-you-mean for a misspelt one', async () => {
    const help = await statuspost(['help', 'serve']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await statuspost(['serve', '--help'])).stdout);
    const typo = await statuspost(['help', 'serv']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "serv" [SP_USAGE]\n  hint: did you mean "serve"?');
  });

  it('suggests the flag meant for a misspelt one', async () => {
    const { code, stderr } = await statuspost(['serve', '--prot', '8080']);
    expect(code).toBe(2);
    expect(stderr).toContain("serve: Unknown option '--prot' [SP_USAGE]\n  hint: did you mean --port? run `statuspost serve --help` for the flags it takes");
  });

  it.each([
    [['serve', '--port', 'abc'], 'serve: --port must be a whole number from 0 to 65535, not "abc"'],
    [['serve', '--port', '70000'], 'serve: --port must be a whole number from 0 to 65535, not "70000"'],
    [['serve', '--max-rate=-3'], 'serve: --max-rate must be a whole number from 0, not "-3"'],
    [['serve', '--max-concurrent', '1.5'], 'serve: --max-concurrent must be a whole number from 1, not "1.5"'],
    [['demo', '--stop-node', '4'], 'demo: --stop-node must be a chat node\'s number, 1 to 3, not "4"'],
    [['run', '--metrics', '127.0.0.1:http'], 'run: --metrics must be HOST:PORT with a port from 0 to 65535, not "127.0.0.1:http"'],
    // check refuses a window over a year: new must not write one.
    [['new', 'maintenance', '--title', 'Long', '--components', 'cache', '--start', '2030-01-05T22:00', '--duration', '400d'], 'new: --duration 400d is outside 1s to 366d'],
  ])('refuses %j with exit 2 and says why', async (args, message) => {
    const root = await project();
    const { code, stderr } = await statuspost([...args, '--root', root], { timeoutMs: 60_000 });
    expect(stderr).toContain(`${message} [SP_USAGE]`);
    expect(stderr).not.toMatch(TRACE);
    expect(code).toBe(2);
  });

  it('serve on a port that is taken exits 3 with the reason, not an internal error', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const root = await project();
      const { code, stderr } = await statuspost(['serve', '--port', String(port), '--root', root], { timeoutMs: 60_000 });
      expect(stderr).toContain(`serve: cannot listen on 127.0.0.1:${port}: the address is in use [SP_LISTEN_FAILED]`);
      expect(stderr).not.toMatch(TRACE);
      expect(code).toBe(3);
    } finally {
      taken.close();
    }
  });
});
