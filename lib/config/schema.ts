// What a mesh tells Meshdeck about itself: SLOs, business KPIs, how a canary is judged and
// which request labels split users into segments. It lives in the cluster, in ConfigMaps
// labelled meshdeck.io/config=true (key `meshdeck.yaml`), never in the app. Pure: parsing
// and merging only; lib/config/reader.ts fetches the ConfigMaps.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { checkPlanFields, planFields, toPlanFields } from '@/lib/api/rollout-schemas';
import { DEFAULT_CANARY_VERSIONS } from '@/lib/mesh/canary';
import { formatDuration, humanDuration, NANOS_PER } from '@/lib/mesh/duration';
import { DNS_1123_LABEL, DNS_1123_LABEL_MAX } from '@/lib/mesh/names';
import { BUILTIN_PRESETS, type RolloutPreset } from '@/lib/mesh/rollout';

/** The label that marks a ConfigMap as Meshdeck configuration. */
export const CONFIG_LABEL = 'meshdeck.io/config';
/** The ConfigMap data key holding the YAML document. */
export const CONFIG_KEY = 'meshdeck.yaml';
/** The sentence every "not configured" message ends with. */
export const HOW_TO_CONFIGURE = `add a ConfigMap labelled ${CONFIG_LABEL}=true with a ${CONFIG_KEY} key (see README, "Mesh configuration")`;

const k8sName = z.string().regex(DNS_1123_LABEL, 'must be a Kubernetes name (lower case, digits, "-")').max(DNS_1123_LABEL_MAX);
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name');
const duration = z.string().regex(/^[1-9][0-9]*(s|m|h)$/, 'must be a Prometheus duration such as 30s, 2m or 1h');
const ratio = z.number().gt(0, 'must be a ratio between 0 and 1 (0.999 is 99.9%)').lt(1, 'must be a ratio between 0 and 1 (0.999 is 99.9%)');
// Matched by Prometheus (RE2) in queries and by JavaScript on the page: only the syntax both share.
const regex = z
  .string()
  .min(1)
  .refine((s) => {
    if (/\(\?[=!<]|\\[1-9]/.test(s)) return false;
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be a regular expression without lookaround or back-references (Prometheus uses RE2)');

const scope = {
  /** The namespace whose traffic is measured; default: the ConfigMap's own (the whole mesh for the root namespace). */
  namespace: k8sName.optional(),
  /** One service (destination_service_name) of that namespace; default: all of them. */
  service: k8sName.optional(),
  /** Shown on the card; default from the SLI. */
  name: z.string().min(1).max(60).optional(),
};

const slo = z.discriminatedUnion('sli', [
  /** Share of requests that are not 5xx; met while above the objective. */
  z.strictObject({ sli: z.literal('availability'), objective: ratio, ...scope }),
  /** A latency quantile in milliseconds; met while below the objective. */
  z.strictObject({
    sli: z.literal('latency'),
    objective: z.number().positive('must be a positive number of milliseconds'),
    quantile: ratio.default(0.99),
    ...scope,
  }),
  /** Share of requests that are 5xx; met while below the objective. */
  z.strictObject({ sli: z.literal('errorRate'), objective: ratio, ...scope }),
  /** Requests per second; met while above the objective. */
  z.strictObject({ sli: z.literal('throughput'), objective: z.number().positive('must be a positive number of requests per second'), ...scope }),
]);

const businessKpi = z.strictObject({
  name: z.string().min(1).max(60),
  /** PromQL returning one instant-vector sample (Meshdeck shows the first). */
  query: z.string().min(1).max(2000),
  unit: z.enum(['count', 'ratio', 'rps', 'ms']).default('count'),
  description: z.string().max(200).optional(),
});

const canary = z.strictObject({
  /** Regex on the destination_version label, matched whole (as PromQL's =~ does): what a canary is (lib/mesh/canary.ts). */
  versions: regex.default(DEFAULT_CANARY_VERSIONS),
  /** The canary's 5xx ratio above which it should be rolled back; without it the panel compares but does not judge. */
  errorRatioThreshold: ratio.optional(),
  /** The comparison's rate window, and how long the alert waits (its `for`). */
  window: duration.default('2m'),
  /** Alert names that guard the split: the Alerts panel links them to the Traffic page. */
  alerts: z.array(z.string().min(1).max(200)).default([]),
});

const segment = z.strictObject({
  /** A label on istio_requests_total (added with a Telemetry tagOverride) that splits users into segments. */
  label: labelName,
  title: z.string().min(1).max(60).optional(),
});

/** A rollout plan template: the plan's steps, times (Go durations), gates and failure policy, as the rollouts API takes them. */
const rolloutPreset = z
  .strictObject({
    name: z.string().min(1).max(63),
    description: z.string().max(300).optional(),
    /** Services the preset is meant for (short names, "namespace/name" or hosts): offered first for them. */
    services: z.array(z.string().min(1).max(253)).max(50).optional(),
    ...planFields,
  })
  .superRefine(checkPlanFields);

const rollouts = z.strictObject({
  presets: z
    .array(rolloutPreset)
    .max(50)
    .default([])
    .superRefine((presets, ctx) =>
      presets.forEach((p, i) => {
        if (presets.findIndex((other) => other.name === p.name) < i)
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `another preset is named "${p.name}"` });
      }),
    ),
});

/** The document under `meshdeck.yaml`. Every section is optional. */
export const meshdeckConfigSchema = z.strictObject({
  slos: z.array(slo).default([]),
  businessKpis: z.array(businessKpi).default([]),
  canary: canary.optional(),
  segments: z.array(segment).default([]),
  rollouts: rollouts.optional(),
});

export type MeshdeckConfig = z.infer<typeof meshdeckConfigSchema>;
export type SloConfig = MeshdeckConfig['slos'][number];
export type BusinessKpiConfig = MeshdeckConfig['businessKpis'][number];
export type CanaryConfig = z.infer<typeof canary>;
export type SegmentConfig = MeshdeckConfig['segments'][number];
export type RolloutPresetConfig = z.infer<typeof rolloutPreset>;

/** The canary rule with nothing configured: versions named like "canary", compared but not judged. */
export const DEFAULT_CANARY: CanaryConfig = canary.parse({});

/** One valid ConfigMap. */
export interface ConfigSource {
  namespace: string;
  name: string;
  config: MeshdeckConfig;
}

/** Every labelled ConfigMap, split into the valid ones and what is wrong with the others. */
export interface LoadedConfig {
  sources: ConfigSource[];
  /** "ConfigMap ns/name: path: message", one per problem; those ConfigMaps are ignored. */
  problems: string[];
  /** Set when the ConfigMaps could not be read at all (Kubernetes unreachable). */
  error?: string;
  rootNamespace: string;
}

interface ConfigMapLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

/** Whether a ConfigMap carries the Meshdeck label. */
export const isConfigMap = (cm: ConfigMapLike) => cm.metadata?.labels?.[CONFIG_LABEL] === 'true';

/** Parses and validates one ConfigMap's document. */
export function parseConfigMap(cm: ConfigMapLike): { source: ConfigSource } | { problems: string[] } {
  const where = `ConfigMap ${cm.metadata?.namespace ?? ''}/${cm.metadata?.name ?? ''}`;
  const text = cm.data?.[CONFIG_KEY];
  if (text === undefined) return { problems: [`${where}: no "${CONFIG_KEY}" key in data`] };
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (error) {
    return { problems: [`${where}: ${CONFIG_KEY} is not YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
  const result = meshdeckConfigSchema.safeParse(document);
  if (!result.success) return { problems: result.error.issues.map((i) => `${where}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`) };
  return { source: { namespace: cm.metadata?.namespace ?? '', name: cm.metadata?.name ?? '', config: result.data } };
}

/** Every labelled ConfigMap among `items`, parsed; invalid ones become problems and are ignored. */
export function parseConfigMaps(items: ConfigMapLike[], rootNamespace: string): LoadedConfig {
  const sources: ConfigSource[] = [];
  const problems: string[] = [];
  for (const cm of items.filter(isConfigMap)) {
    const parsed = parseConfigMap(cm);
    if ('source' in parsed) sources.push(parsed.source);
    else problems.push(...parsed.problems);
  }
  sources.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  return { sources, problems, rootNamespace };
}

/** An SLO with the traffic it measures resolved: no namespace means the whole mesh. */
export type ScopedSlo = SloConfig & { scope: { namespace?: string; service?: string }; source: string };

/** What applies to one view of the KPIs page (one namespace, or all of them). */
export interface EffectiveConfig {
  slos: ScopedSlo[];
  /** SLOs that exist but measure other scopes (shown under another namespace or All namespaces). */
  otherSlos: number;
  businessKpis: (BusinessKpiConfig & { source: string })[];
  segments: SegmentConfig[];
  /** The canary rule for services of a namespace. */
  canaryFor: (namespace: string | undefined) => CanaryConfig & { configured: boolean };
  /** The rate window of the canary comparison for this view. */
  canaryWindow: string;
  /** Every alert name configured as guarding a canary. */
  canaryAlerts: Set<string>;
  /** Why nothing is configured: the ConfigMaps could not be read, or how to add one. */
  howToConfigure: string;
}

/**
 * Merges the ConfigMaps for a view. A ConfigMap speaks for its own namespace; one in the
 * root namespace speaks for the whole mesh. Viewing a namespace shows its SLOs (wherever
 * they are declared), the KPIs of its ConfigMaps and the root's, and its canary rule
 * (falling back to the root's, then to the default); viewing all namespaces shows all.
 */
export function effectiveConfig(loaded: Pick<LoadedConfig, 'sources' | 'rootNamespace' | 'error'>, viewNamespace?: string): EffectiveConfig {
  const { sources, rootNamespace } = loaded;
  const label = (s: ConfigSource) => `${s.namespace}/${s.name}`;
  const allSlos: ScopedSlo[] = sources.flatMap((s) =>
    s.config.slos.map((slo) => ({
      ...slo,
      scope: { namespace: slo.namespace ?? (s.namespace === rootNamespace ? undefined : s.namespace), service: slo.service },
      source: label(s),
    })),
  );
  const slos = viewNamespace ? allSlos.filter((slo) => slo.scope.namespace === viewNamespace) : allSlos;
  const relevant = viewNamespace ? sources.filter((s) => s.namespace === viewNamespace || s.namespace === rootNamespace) : sources;
  const withCanary = sources.filter((s) => s.config.canary);
  const canaryFor = (namespace: string | undefined) => {
    const own = withCanary.find((s) => s.namespace === namespace) ?? withCanary.find((s) => s.namespace === rootNamespace);
    return own ? { ...own.config.canary!, configured: true } : { ...DEFAULT_CANARY, configured: false };
  };
  const rules = viewNamespace
    ? [canaryFor(viewNamespace)]
    : withCanary.length
      ? withCanary.map((s) => ({ ...s.config.canary!, configured: true }))
      : [canaryFor(undefined)];
  const segments = new Map(relevant.flatMap((s) => s.config.segments).map((seg) => [seg.label, seg]));
  return {
    slos,
    otherSlos: allSlos.length - slos.length,
    businessKpis: relevant.flatMap((s) => s.config.businessKpis.map((k) => ({ ...k, source: label(s) }))),
    segments: [...segments.values()],
    canaryFor,
    canaryWindow: rules[0]!.window,
    canaryAlerts: new Set(sources.flatMap((s) => s.config.canary?.alerts ?? [])),
    howToConfigure: loaded.error ? "Meshdeck's configuration could not be read (see the note above)" : HOW_TO_CONFIGURE,
  };
}

const plainSeconds = (seconds: number) => humanDuration(formatDuration(BigInt(seconds) * NANOS_PER.s));

/** A configured preset as the domain holds it; without a description, one written from its numbers. */
function toPreset(config: RolloutPresetConfig): RolloutPreset {
  const fields = toPlanFields(config);
  const { steps, stepSeconds, maxFailedChecks } = fields;
  const description =
    config.description ??
    `${steps[0]} → ${steps.at(-1)} % in ${steps.length} ${steps.length === 1 ? 'step' : 'steps'} of ${plainSeconds(stepSeconds)}; rolls back after ${maxFailedChecks} failed ${maxFailedChecks === 1 ? 'check' : 'checks'}`;
  return { name: config.name, description, ...(config.services ? { services: config.services } : {}), ...fields };
}

/**
 * The rollout presets for a namespace: the ones its ConfigMaps declare, then the root
 * namespace's, then the built-in ones (BUILTIN_PRESETS); a name declared nearer replaces the
 * same name further away. Without a namespace, every ConfigMap's. The form offers a preset
 * first for the services it lists.
 */
export function rolloutPresets(loaded: Pick<LoadedConfig, 'sources' | 'rootNamespace'>, namespace: string | undefined): RolloutPreset[] {
  const own = loaded.sources.filter((s) => namespace === undefined || s.namespace === namespace);
  const root = namespace === undefined || namespace === loaded.rootNamespace ? [] : loaded.sources.filter((s) => s.namespace === loaded.rootNamespace);
  const configured = [...own, ...root].flatMap((s) => (s.config.rollouts?.presets ?? []).map(toPreset));
  const byName = new Map<string, RolloutPreset>();
  for (const preset of [...configured, ...BUILTIN_PRESETS]) if (!byName.has(preset.name)) byName.set(preset.name, preset);
  return [...byName.values()];
}

/** "2m" → "2 minutes", for sentences (the one duration parser's wording). */
export { humanDuration } from '@/lib/mesh/duration';
