// Reads probes/: site.yaml, components.yaml and checks/*.yaml. Every problem in every file is
// collected and returned together; a config is returned only when there is none.
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod/v4';
import { StatuspostError, type SourcePosition } from '../errors.ts';
import { NOTIFY_FILE, parseNotifyConfig } from '../notify/config.ts';
import type { NotifyConfig } from '../notify/types.ts';
import { probeForKind, probeKinds, type Check } from '../probes/registry.ts';
import { expandEnv, SECRET_IN_FILE } from './env.ts';
import { issuesToProblems } from './issues.ts';
import { MAX_CONFIG_FILE_BYTES } from './limits.ts';
import { describeReadError, readSourceFile } from './source-file.ts';
import { checkConfigRules } from './rules.ts';
import { componentsFileSchema, siteSchema, type Component, type Group, type Site } from './schema.ts';
import type { Node } from 'yaml';
import { parseYaml, positionOf, positionOfNode, toPlain, type YamlSource } from './yaml-source.ts';

export interface Config {
  root: string;
  site: Site;
  groups: Group[];
  components: Component[];
  checks: Check[];
  /** Where each check, component and group was written: keys "check:<id>", "component:<id>", "group:<id>". */
  positions: Map<string, SourcePosition>;
  /** Values that must never be published: expanded secrets, the targets of checks not marked public, notification targets and subscribers. */
  privateValues: string[];
  /** probes/notify.yaml; undefined when there is no such file (nothing is sent to anyone). */
  notify: NotifyConfig | undefined;
}

export interface ConfigLoad {
  config: Config | undefined;
  problems: StatuspostError[];
  files: string[];
}

const CONFIG_DIR = 'probes';

const CONFIG_READ_RULES = {
  maxBytes: MAX_CONFIG_FILE_BYTES,
  code: 'SP_CONFIG_INVALID',
  what: 'a file in probes/',
  sizeHint: 'split the checks over several files in probes/checks/',
} as const;

export async function loadConfig(root: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigLoad> {
  const problems: StatuspostError[] = [];
  const secrets: string[] = [];
  const files: string[] = [];
  const positions = new Map<string, SourcePosition>();
  const at = {
    groups: [] as SourcePosition[],
    components: [] as SourcePosition[],
    componentGroups: [] as SourcePosition[],
    checks: [] as SourcePosition[],
    checkComponents: [] as SourcePosition[],
    checkQuorums: [] as SourcePosition[],
    componentQuorums: [] as SourcePosition[],
    siteLocation: undefined as SourcePosition | undefined,
    siteLocations: undefined as SourcePosition | undefined,
  };

  const remember = (key: string, position: SourcePosition) => {
    if (!positions.has(key)) positions.set(key, position);
  };

  // Expanded values are private: messages name the reference as written, never the value.
  const fromEnv = new Map<YamlSource, Map<unknown, string>>();
  const variables = new Map<string, string>();
  const writtenFromEnv = (source: YamlSource) => (path: readonly PropertyKey[]) => fromEnv.get(source)?.get(source.doc.getIn(path as unknown[], true));

  // Positions ("file:line:col") of values whose ${VAR} was missing: the env problem is the one to report.
  const unexpandedAt = new Set<string>();
  const keyOf = (at: SourcePosition | undefined) => (at ? `${at.file}:${at.line}:${at.column}` : '');
  const report = (found: readonly StatuspostError[]) => {
    for (const problem of found) if (!unexpandedAt.has(keyOf(problem.at))) problems.push(problem);
  };

  /** required: its absence is a problem; optional: its absence is no problem (and no file). */
  const read = async (file: string, required: boolean | 'optional'): Promise<{ source: YamlSource; value: unknown } | undefined> => {
    const loaded = await readSourceFile(root, file, CONFIG_READ_RULES);
    if (loaded.problem) {
      if (loaded.errno === 'ENOENT' && required === 'optional') return undefined;
      // A missing required file means no configuration yet; any other failure is the file's own problem.
      if (loaded.errno === 'ENOENT' && required === true) {
        problems.push(
          new StatuspostError('SP_CONFIG_MISSING', `cannot read ${file} (ENOENT)`, {
            at: { file },
            hint: 'run `statuspost init` to create a project here (it overwrites nothing), or pass --root DIR for the folder that holds probes/',
          }),
        );
      } else problems.push(loaded.problem);
      return undefined;
    }
    const text = loaded.text;
    files.push(file);
    const { source, problems: syntax } = parseYaml(file, text);
    problems.push(...syntax);
    if (syntax.length > 0) return undefined;
    const expansion = expandEnv(source, env);
    problems.push(...expansion.problems);
    secrets.push(...expansion.secrets);
    fromEnv.set(source, expansion.expanded);
    for (const [value, name] of expansion.variables) if (!variables.has(value)) variables.set(value, name);
    for (const node of expansion.unexpanded) unexpandedAt.add(keyOf(positionOfNode(source, node as Node)));
    const plain = toPlain(source);
    problems.push(...plain.problems);
    if (plain.problems.length > 0) return undefined;
    return { source, value: plain.value };
  };

  const parse = <S extends z.ZodType>(schema: S, file: { source: YamlSource; value: unknown }, path: PropertyKey[] = []) => {
    const result = schema.safeParse(path.length === 0 ? file.value : valueAt(file.value, path));
    if (result.success) return result.data as z.output<S>;
    report(issuesToProblems(file.source, path, schema, result.data ?? valueAt(file.value, path), result.error, 'SP_CONFIG_INVALID', writtenFromEnv(file.source)));
    return undefined;
  };

  const siteFile = await read(`${CONFIG_DIR}/site.yaml`, true);
  const site = siteFile && parse(siteSchema, siteFile);
  if (siteFile && site?.logo !== undefined) {
    const problem = await logoProblem(root, site.logo);
    if (problem) problems.push(new StatuspostError('SP_CONFIG_INVALID', `logo: ${problem}`, { at: positionOf(siteFile.source, ['logo']), hint: LOGO_HINT }));
  }

  const componentsFile = await read(`${CONFIG_DIR}/components.yaml`, true);
  const componentsData = componentsFile && parse(componentsFileSchema, componentsFile);
  if (componentsFile && componentsData) {
    at.groups = componentsData.groups.map((_, i) => positionOf(componentsFile.source, ['groups', i, 'id']));
    at.components = componentsData.components.map((_, i) => positionOf(componentsFile.source, ['components', i, 'id']));
    at.componentGroups = componentsData.components.map((_, i) => positionOf(componentsFile.source, ['components', i, 'group']));
    at.componentQuorums = componentsData.components.map((_, i) => positionOf(componentsFile.source, ['components', i, 'quorum']));
    componentsData.groups.forEach((group, i) => remember(`group:${group.id}`, at.groups[i]!));
    componentsData.components.forEach((component, i) => remember(`component:${component.id}`, at.components[i]!));
  }

  const checks: Check[] = [];
  for (const file of await checkFiles(root, problems)) {
    const loaded = await read(file, false);
    if (!loaded) continue;
    const top = parse(checksFileSchema, loaded);
    if (!top) continue;
    top.checks.forEach((written, i) => {
      const check = parseCheck(loaded, ['checks', i], written);
      if (!check) return;
      checks.push(check);
      at.checks.push(positionOf(loaded.source, ['checks', i, 'id']));
      at.checkComponents.push(positionOf(loaded.source, ['checks', i, 'component']));
      at.checkQuorums.push(positionOf(loaded.source, ['checks', i, 'quorum']));
      remember(`check:${check.id}`, at.checks[at.checks.length - 1]!);
    });
  }

  if (site && componentsData) {
    if (siteFile) {
      at.siteLocation = positionOf(siteFile.source, ['location']);
      at.siteLocations = positionOf(siteFile.source, ['locations']);
    }
    // Whether site.yaml names its own location (not the default): only then must it be one of site.locations.
    const locationWritten = (siteFile?.value as { location?: unknown } | null | undefined)?.location !== undefined;
    problems.push(...checkConfigRules({ site: { location: site.location, locations: site.locations, locationWritten }, components: componentsData, checks, at }));
  }

  // Optional: without it, statuspost tells no one.
  const notifyFile = await read(NOTIFY_FILE, 'optional');
  const notify = notifyFile
    ? parseNotifyConfig({
        source: notifyFile.source,
        value: notifyFile.value,
        componentIds: componentsData?.components.map((component) => component.id),
        root,
        writtenFromEnv: writtenFromEnv(notifyFile.source),
      })
    : undefined;
  if (notify) {
    // Its loader refuses a provider's secret written in the file with a hint naming the variable to
    // set: the generic problem for the same value (a key named password, token or secret) would repeat it.
    const refusedAt = new Set(notify.problems.map((problem) => keyOf(problem.at)));
    const repeats = problems.filter((problem) => problem.at?.file === NOTIFY_FILE && problem.message.endsWith(SECRET_IN_FILE) && refusedAt.has(keyOf(problem.at)));
    for (const repeat of repeats) problems.splice(problems.indexOf(repeat), 1);
    report(notify.problems);
  }
  if (problems.length > 0 || !site || !componentsData) return { config: undefined, problems: withoutEnvValues(problems, variables), files };

  const config: Config = {
    root,
    site,
    groups: componentsData.groups,
    components: componentsData.components,
    checks,
    positions,
    privateValues: privateValuesOf(site, checks, [...secrets, ...(notify?.privateValues ?? [])]),
    notify: notify?.notify,
  };
  return { config, problems, files };

  function parseCheck(file: { source: YamlSource; value: unknown }, path: PropertyKey[], written: unknown): Check | undefined {
    const kind = (written as { kind?: unknown } | null)?.kind;
    const probe = typeof kind === 'string' ? probeForKind(kind) : undefined;
    if (!probe) {
      problems.push(
        new StatuspostError(
          'SP_CONFIG_INVALID',
          `${path.join('.')}.kind: ${kindProblem(kind, writtenFromEnv(file.source)([...path, 'kind']))}`,
          {
            at: positionOf(file.source, kind === undefined ? path : [...path, 'kind']),
            hint: `kind must be one of ${probeKinds.join(', ')}`,
          },
        ),
      );
      return undefined;
    }
    const result = probe.schema.safeParse(written);
    if (result.success) return anchorPaths(result.data as Check, root);
    const issues = issuesToProblems(file.source, path, probe.schema, written, result.error, 'SP_CONFIG_INVALID', writtenFromEnv(file.source));
    // Issue fields are relative to the check; prefix them so the message names the whole path.
    for (const issue of issues) {
      report([
        new StatuspostError(issue.code, `${path.join('.')}.${issue.message}`, {
          ...(issue.at ? { at: issue.at } : {}),
          ...(issue.hint ? { hint: issue.hint } : {}),
        }),
      ]);
    }
    return undefined;
  }
}

/**
 * A relative file path in probes/ (a share's folder, a CA file) means one under the project root,
 * as the other files there do: not under whatever folder the daemon was started from (systemd
 * starts it in /), and not under the folder a site build briefly runs in.
 */
function anchorPaths(check: Check, root: string): Check {
  const anchor = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
  if (check.kind === 'filesystem') return { ...check, path: anchor(check.path) };
  if (check.kind === 'tls' && check.ca !== undefined) return { ...check, ca: anchor(check.ca) };
  if (check.kind === 'http' && check.tls.ca !== undefined) return { ...check, tls: { ...check.tls, ca: anchor(check.tls.ca) } };
  return check;
}

/** Where a project keeps the files the site serves as they are (the logo): beside probes/. */
export const PUBLIC_DIR = 'public';
/** Every visitor downloads the logo with the page: more than this is a photograph, not a logo. */
export const MAX_LOGO_BYTES = 100_000;
const LOGO_HINT = `put the SVG or PNG in ${PUBLIC_DIR}/ beside probes/ (logo: logo.svg means ${PUBLIC_DIR}/logo.svg), or remove logo: from probes/site.yaml`;

async function logoProblem(root: string, logo: string): Promise<string | undefined> {
  try {
    const found = await stat(join(root, PUBLIC_DIR, logo));
    if (!found.isFile()) return `${PUBLIC_DIR}/${logo} is not a file`;
    if (found.size > MAX_LOGO_BYTES) return `${PUBLIC_DIR}/${logo} is ${found.size.toLocaleString('en-US')} bytes; a logo may be at most ${MAX_LOGO_BYTES.toLocaleString('en-US')}`;
    return undefined;
  } catch (error) {
    return `cannot read ${PUBLIC_DIR}/${logo}: ${describeReadError(error)}`;
  }
}

const checksFileSchema = z.strictObject({
  checks: z.array(z.unknown()).default([]),
});

async function checkFiles(root: string, problems: StatuspostError[]): Promise<string[]> {
  try {
    const names = await readdir(join(root, CONFIG_DIR, 'checks'));
    return names
      .filter((name) => /\.ya?ml$/i.test(name))
      .sort()
      .map((name) => `${CONFIG_DIR}/checks/${name}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // a page driven by posts alone has no checks
    problems.push(new StatuspostError('SP_CONFIG_INVALID', `cannot read the folder: ${describeReadError(error)}`, { at: { file: `${CONFIG_DIR}/checks` }, hint: 'make it readable by the user statuspost runs as' }));
    return [];
  }
}

function kindProblem(kind: unknown, writtenFromEnv: string | undefined): string {
  if (kind === undefined) return 'is required';
  if (writtenFromEnv !== undefined) return `is not a probe kind (the value of ${writtenFromEnv})`;
  return `unknown probe kind ${JSON.stringify(kind)}`;
}

/**
 * The last guard of a rule that messages never print an expanded value: any still found in a
 * message or hint (a rule quoting an id, a message yet to be written) is replaced by its ${NAME}.
 * Values under 4 characters would match inside ordinary words and numbers; the messages that
 * quote a value redact it themselves (issues.ts, kindProblem).
 */
function withoutEnvValues(problems: readonly StatuspostError[], variables: ReadonlyMap<string, string>): StatuspostError[] {
  const values = [...variables.keys()].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  if (values.length === 0) return [...problems];
  const redact = (text: string) => values.reduce((out, value) => out.split(value).join(`\${${variables.get(value)}}`), text);
  return problems.map((problem) => {
    const message = redact(problem.message);
    const hint = problem.hint === undefined ? undefined : redact(problem.hint);
    if (message === problem.message && hint === problem.hint) return problem;
    return new StatuspostError(problem.code, message, { ...(problem.at ? { at: problem.at } : {}), ...(hint ? { hint } : {}) });
  });
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) current = (current as Record<PropertyKey, unknown> | undefined)?.[segment];
  return current;
}

function privateValuesOf(site: Site, checks: readonly Check[], secrets: readonly string[]): string[] {
  const values = new Set<string>();
  // Very short values (a port, "on") would match everywhere and prove nothing.
  const add = (value: string) => {
    if (value.trim().length >= 4) values.add(value);
  };
  secrets.forEach(add);
  if (site.store.engine === 'postgres') add(site.store.url);
  for (const check of checks) {
    if (check.public) continue;
    for (const target of probeForKind(check.kind)?.targets(check as never) ?? []) {
      add(target);
      const host = hostOf(target);
      if (host && host !== 'localhost') add(host);
    }
  }
  return [...values].sort();
}

function hostOf(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined; // not a URL after all: the value itself is already listed
  }
}
