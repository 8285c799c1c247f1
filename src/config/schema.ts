// Site settings and components, as written in probes/site.yaml and probes/components.yaml.
// The check union is composed from the probe kinds in src/probes/registry.ts.
import { z } from 'zod/v4';
import { durationWithin, idSchema, postgresUrlSchema, quorumSchema } from '../probes/types.ts';
import { controlCharacterProblem } from '../posts/text.ts';
import { DURATION_LIMITS } from './limits.ts';
import { DEFAULT_LANGUAGE, isLanguage, languageHint, type Language } from '../i18n/languages.ts';

const timeZoneSchema = z.string().refine(isTimeZone, {
  error: 'must be an IANA time zone, e.g. UTC, Europe/Paris or America/Los_Angeles',
});

/** Text the site publishes (titles, names, descriptions): no character that would break a feed. */
const publishedText = () =>
  z.string().superRefine((text, ctx) => {
    const problem = controlCharacterProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The language of the site's fixed text (src/i18n): a code we ship, or a positioned error with a did-you-mean. */
const languageSchema = z
  .string()
  .superRefine((value, ctx) => {
    if (!isLanguage(value)) ctx.addIssue({ code: 'custom', message: `unknown language "${value}"`, params: { hint: languageHint(value) } });
  })
  .transform((value) => value as Language);

const knownZones = new Map<string, boolean>();

export function isTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false; // RangeError: Intl does not know the zone, which is exactly the question
    }
    if (knownZones.size < 1000) knownZones.set(zone, known); // every post names one: ask Intl once per zone
  }
  return known;
}

const storeSchema = z.discriminatedUnion('engine', [
  z.strictObject({
    engine: z.literal('sqlite'),
    /** Relative to the project root. */
    path: z.string().min(1).default('data/statuspost.db'),
  }),
  z.strictObject({
    engine: z.literal('postgres'),
    /** A connection string; write it as ${DATABASE_URL} so it stays out of the file. */
    url: postgresUrlSchema,
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('statuspost'),
  }),
]);

export const siteSchema = z.strictObject({
  title: publishedText().min(1),
  description: publishedText().default(''),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL, e.g. https://status.example.org' }),
  /** The team's logo in the page header: an SVG or PNG file in the project's public/ folder. */
  logo: z
    .string()
    .regex(/^(?![/\\])(?!.*(^|[/\\])\.\.([/\\]|$))[^\0]+\.(svg|png)$/i, {
      error: 'must be the path of an SVG or PNG file inside public/, e.g. logo.svg for public/logo.svg',
    })
    .optional(),
  /** The team's own site, linked from the page header. */
  homepage: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL, e.g. https://www.example.org' }).optional(),
  /** The zone pages show times in, beside UTC. */
  timezone: timeZoneSchema.default('UTC'),
  /** The language of every fixed word of the site, its feeds and its banner feed; posts stay as written. */
  language: languageSchema.default(DEFAULT_LANGUAGE),
  /** Names this probe location; results from several locations can share one PostgreSQL store. */
  location: idSchema.default('local'),
  /**
   * The locations whose results the publisher votes over (src/locations/quorum.ts), each a prober's
   * `location`. Absent: only this daemon's own location is read, as on a single machine.
   */
  locations: z.array(idSchema).min(1).optional(),
  store: storeSchema.default({ engine: 'sqlite', path: 'data/statuspost.db' }),
  /** How long raw results are kept; daily roll-ups are kept for good. */
  retention: durationWithin(DURATION_LIMITS.retention).default(30 * 86_400_000),
  /** How many checks may run at once, across all of them. */
  concurrency: z.number().int().min(1).max(1_000).default(16),
  /**
   * A confirmed partial or major outage that no open incident covers: written as a draft incident
   * (draft, the default), published at once (publish), or nothing (off). See src/autodraft/.
   */
  autoIncidents: z.enum(['draft', 'publish', 'off']).default('draft'),
  /** How much a minute in each state counts as downtime (docs/uptime.md); Statuspage's defaults. */
  uptimeWeights: z
    .strictObject({
      majorOutage: z.number().min(0).max(1).default(1),
      partialOutage: z.number().min(0).max(1).default(0.3),
      degradedPerformance: z.number().min(0).max(1).default(0),
    })
    .default({ majorOutage: 1, partialOutage: 0.3, degradedPerformance: 0 }),
});

export const componentsFileSchema = z.strictObject({
  groups: z
    .array(
      z.strictObject({
        id: idSchema,
        name: publishedText().min(1),
        description: publishedText().default(''),
      }),
    )
    .default([]),
  components: z
    .array(
      z.strictObject({
        id: idSchema,
        name: publishedText().min(1),
        group: idSchema.optional(),
        description: publishedText().default(''),
        /**
         * How its checks decide its status: partial_outage once `partialAt` checks are down,
         * major_outage once `majorAt` are (a number, or "all"). Three chat nodes: 1 and all.
         */
        outage: z
          .strictObject({
            partialAt: z.number().int().min(1).default(1),
            majorAt: z.union([z.number().int().min(1), z.literal('all')]).default('all'),
          })
          .default({ partialAt: 1, majorAt: 'all' }),
        /** The whole service depends on it: its major outage is the page's major outage (the balancer). */
        essential: z.boolean().default(false),
        /** How many locations must agree on its checks' statuses; a check's own `quorum` wins. Default: majority. */
        quorum: quorumSchema.optional(),
      }),
    )
    .min(1, { error: 'list at least one component' }),
});

export type Site = z.output<typeof siteSchema>;
export type StoreConfig = Site['store'];
export type ComponentsFile = z.output<typeof componentsFileSchema>;
export type Component = ComponentsFile['components'][number];
export type Group = ComponentsFile['groups'][number];
