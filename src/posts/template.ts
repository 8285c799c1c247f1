// Templates for `statuspost new --template NAME`: content/templates/NAME.md, shaped like the post it
// starts (front matter, then Markdown), holding only the fields a template may fill. They are read
// with the post schemas' own field definitions, so a template is refused, at its line, for what a
// post would be refused for. Times are never in a template: `new` sets them.
//   incident:    title, impact, components (id: status), signInBlocked; the body is the first update's message
//   maintenance: title, components, affected, unaffected, signInBlocked, updateRequired, window.duration;
//                the body is the notice's description
import { z } from 'zod/v4';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { closest, issuesToProblems } from '../config/issues.ts';
import { DURATION_LIMITS } from '../config/limits.ts';
import { parseYaml, toPlain } from '../config/yaml-source.ts';
import { ProblemsError, StatuspostError } from '../errors.ts';
import { durationWithin } from '../probes/types.ts';
import { splitFrontMatter } from './load.ts';
import { incidentWritten, maintenanceWritten } from './schema.ts';
import type { ComponentStatus, Impact } from './types.ts';

export const TEMPLATE_FOLDER = 'content/templates';

const incidentTemplate = incidentWritten.pick({ title: true, impact: true, components: true, signInBlocked: true }).partial();
const maintenanceTemplate = maintenanceWritten
  .pick({ title: true, components: true, affected: true, unaffected: true, signInBlocked: true, updateRequired: true })
  .extend({ window: z.strictObject({ duration: durationWithin(DURATION_LIMITS.maintenanceWindow) }) })
  .partial();

export type Template =
  | { kind: 'incident'; file: string; title?: string; impact?: Impact; components?: Record<string, ComponentStatus>; signInBlocked?: boolean; message?: string }
  | {
      kind: 'maintenance';
      file: string;
      title?: string;
      components?: string[];
      affected?: string;
      unaffected?: string;
      signInBlocked?: boolean;
      updateRequired?: string;
      /** As written (30m), for window.duration. */
      durationText?: string;
      body?: string;
    };

export async function readTemplate(root: string, name: string, kind: 'incident' | 'maintenance'): Promise<Template> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
    throw new StatuspostError('SP_USAGE', `new: --template "${name}" is not a template name`, { hint: `a template is ${TEMPLATE_FOLDER}/NAME.md; give NAME (letters, digits, - and _)` });
  }
  const file = `${TEMPLATE_FOLDER}/${name}.md`;
  let text: string;
  try {
    text = await readFile(join(root, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const names = (await readdir(join(root, TEMPLATE_FOLDER)).catch(() => [] as string[])).filter((entry) => entry.endsWith('.md')).map((entry) => entry.slice(0, -3));
    const meant = closest(name, names);
    throw new StatuspostError('SP_USAGE', `new: there is no template ${file}`, { hint: `${meant ? `did you mean "${meant}"? ` : ''}templates: ${names.join(', ') || `none yet (write ${TEMPLATE_FOLDER}/${name}.md)`}` });
  }
  return parseTemplate(file, text, kind);
}

export function parseTemplate(file: string, text: string, kind: 'incident' | 'maintenance'): Template {
  const split = splitFrontMatter(text);
  if (!split) throw new ProblemsError([new StatuspostError('SP_POST_INVALID', 'a template starts with front matter between two --- lines', { at: { file, line: 1, column: 1 }, hint: 'see examples/chat-cluster/content/templates/' })]);
  const { source, problems: syntax } = parseYaml(file, split.yaml);
  if (syntax.length > 0) throw new ProblemsError(syntax);
  const plain = toPlain(source);
  if (plain.problems.length > 0) throw new ProblemsError(plain.problems);
  const schema = kind === 'incident' ? incidentTemplate : maintenanceTemplate;
  const parsed = schema.safeParse(plain.value ?? {});
  if (!parsed.success) {
    const problems = issuesToProblems(source, [], schema, plain.value, parsed.error, 'SP_POST_INVALID');
    throw new ProblemsError([...problems, new StatuspostError('SP_POST_INVALID', `${file} is not a usable template for ${kind === 'incident' ? 'an incident' : 'maintenance'}`, { at: { file }, hint: 'fix what is listed above; a template holds no times (`new` sets them); see the README, "On call"' })]);
  }
  const body = split.body.trim() || undefined;
  if (kind === 'incident') {
    const data = parsed.data as z.output<typeof incidentTemplate>;
    return { kind, file, ...defined({ title: data.title, impact: data.impact, components: data.components && Object.keys(data.components).length > 0 ? data.components : undefined, signInBlocked: data.signInBlocked, message: body }) };
  }
  const data = parsed.data as z.output<typeof maintenanceTemplate>;
  const written = (plain.value ?? {}) as { window?: { duration?: unknown } };
  return {
    kind,
    file,
    ...defined({
      title: data.title,
      components: data.components,
      affected: data.affected,
      unaffected: data.unaffected,
      signInBlocked: data.signInBlocked,
      updateRequired: data.updateRequired?.minimumVersion,
      durationText: typeof written.window?.duration === 'string' ? written.window.duration : undefined,
      body,
    }),
  };
}

/**
 * Every template under content/templates/ checked as `new` would read it, for `statuspost check`:
 * a template is found broken when it is written, not at 3 a.m. when it is first used. Its kind is
 * what its fields say (impact, or components as a map: an incident; affected, unaffected, window,
 * updateRequired, or components as a list: maintenance); a template that says neither is valid if
 * either kind reads it.
 */
export async function checkTemplates(root: string, componentIds: readonly string[] | undefined): Promise<{ files: string[]; problems: StatuspostError[] }> {
  const names = (await readdir(join(root, TEMPLATE_FOLDER)).catch(() => [] as string[])).filter((entry) => entry.endsWith('.md') && !entry.startsWith('.')).sort();
  const files: string[] = [];
  const problems: StatuspostError[] = [];
  for (const name of names) {
    const file = `${TEMPLATE_FOLDER}/${name}`;
    files.push(file);
    const text = await readFile(join(root, file), 'utf8');
    const kinds = templateKinds(text);
    const tries = kinds.map((kind) => {
      try {
        return { template: parseTemplate(file, text, kind), problems: [] as StatuspostError[] };
      } catch (error) {
        if (error instanceof ProblemsError) return { template: undefined, problems: [...error.problems] };
        throw error;
      }
    });
    const read = tries.find((attempt) => attempt.template);
    if (!read?.template) {
      problems.push(...tries[0]!.problems);
      continue;
    }
    const ids = read.template.components === undefined ? [] : Array.isArray(read.template.components) ? read.template.components : Object.keys(read.template.components);
    for (const id of ids) {
      if (!componentIds || componentIds.includes(id)) continue;
      const meant = closest(id, componentIds);
      problems.push(new StatuspostError('SP_POST_INVALID', `unknown component "${id}"`, { at: positionInText(file, text, id), hint: `${meant ? `did you mean "${meant}"? ` : ''}known components: ${componentIds.join(', ')}` }));
    }
  }
  return { files, problems };
}

function templateKinds(text: string): Array<'incident' | 'maintenance'> {
  const split = splitFrontMatter(text);
  const value = split ? (toPlain(parseYaml('template', split.yaml).source).value as Record<string, unknown> | null) : null;
  if (!value || typeof value !== 'object') return ['incident'];
  if ('impact' in value || (value.components !== null && typeof value.components === 'object' && !Array.isArray(value.components))) return ['incident'];
  if (['affected', 'unaffected', 'window', 'updateRequired'].some((key) => key in value) || Array.isArray(value.components)) return ['maintenance'];
  return ['incident', 'maintenance'];
}

/** The first place `word` is written in the text: the line a problem about it points at. */
function positionInText(file: string, text: string, word: string) {
  const lines = text.split('\n');
  const line = lines.findIndex((row) => row.includes(word));
  return line === -1 ? { file } : { file, line: line + 1, column: lines[line]!.indexOf(word) + 1 };
}

/** Without the keys whose value is undefined (exactOptionalPropertyTypes). */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
