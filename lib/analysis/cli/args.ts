// `npm run analyze`'s flags, shaped like `istioctl analyze`'s (istio/istio istioctl/pkg/analyze):
// the same names, short forms and defaults, parsed the way pflag does (`--flag value`,
// `--flag=value`, `-fvalue`, booleans only take a value after `=`). Pure.
import { isKnownCode } from '../codes';
import { LEVELS, type Level } from '../types';
import { isDnsLabel, LABEL_RULE } from '@/lib/mesh/names';

export type OutputFormat = 'text' | 'json' | 'yaml';

/** `--suppress CODE=RESOURCE`: RESOURCE is `Kind namespace/name` (or istioctl's older `Kind name.namespace`), `*` matching anything. */
export interface Suppression {
  code: string;
  resource: string;
}

export interface AnalyzeOptions {
  /** Files and directories (`-` is standard input), from `-f` and from positional arguments. */
  files: string[];
  recursive: boolean;
  useKube: boolean;
  namespace?: string;
  allNamespaces: boolean;
  output: OutputFormat;
  failureThreshold: Level;
  outputThreshold: Level;
  suppressions: Suppression[];
  kubeconfig?: string;
  context?: string;
  /** A mesh config (the `mesh` key of the `istio` ConfigMap, YAML) to analyze with instead of the cluster's. */
  meshConfigFile?: string;
  listAnalyzers: boolean;
  ignoreUnknown: boolean;
  verbose: boolean;
}

export type ParsedArgs = { kind: 'run'; options: AnalyzeOptions; warnings: string[] } | { kind: 'help' } | { kind: 'error'; message: string };

type FlagType = 'boolean' | 'string' | 'list';
interface Flag {
  long: string;
  short?: string;
  type: FlagType;
  value?: string;
  help: string;
}

export const FLAGS: readonly Flag[] = [
  {
    long: 'filename',
    short: 'f',
    type: 'list',
    value: 'FILE|DIR',
    help: 'A file or directory to analyze (repeatable; also accepted as plain arguments); `-` reads standard input.',
  },
  { long: 'recursive', short: 'R', type: 'boolean', help: 'Read directories recursively.' },
  { long: 'use-kube', short: 'k', type: 'boolean', help: 'Read the live cluster through the kubeconfig (default true). --use-kube=false analyzes files only.' },
  {
    long: 'namespace',
    short: 'n',
    type: 'string',
    value: 'NS',
    help: 'Report on this namespace (default: the context\'s namespace, else "default"); objects in files without a namespace get it.',
  },
  { long: 'all-namespaces', short: 'A', type: 'boolean', help: 'Report on every namespace.' },
  { long: 'output', short: 'o', type: 'string', value: 'FORMAT', help: 'text (istioctl\'s "log"), json or yaml (default text).' },
  {
    long: 'failure-threshold',
    type: 'string',
    value: 'LEVEL',
    help: 'Exit with 79 when a finding is at least this severe: Error, Warning or Info (default Error).',
  },
  { long: 'output-threshold', type: 'string', value: 'LEVEL', help: 'Print findings at least this severe (default Info).' },
  {
    long: 'suppress',
    short: 'S',
    type: 'list',
    value: 'CODE=RESOURCE',
    help: 'Leave out a code on a resource, e.g. "IST0101=VirtualService shop/*" (repeatable; * matches anything).',
  },
  { long: 'kubeconfig', short: 'c', type: 'string', value: 'FILE', help: 'Kubeconfig to use (default $KUBECONFIG, else ~/.kube/config).' },
  { long: 'context', type: 'string', value: 'NAME', help: 'Kubeconfig context to use (default the current one).' },
  {
    long: 'meshConfigFile',
    type: 'string',
    value: 'FILE',
    help: "Mesh config to analyze with (YAML, as the istio ConfigMap's mesh key), instead of the cluster's or Istio's defaults.",
  },
  { long: 'list-analyzers', short: 'L', type: 'boolean', help: 'List the analyzers and exit.' },
  { long: 'ignore-unknown', type: 'boolean', help: 'Do not fail (exit 65) on documents that cannot be parsed.' },
  { long: 'verbose', short: 'v', type: 'boolean', help: 'Say what was read, what was not, and how long it took (on standard error).' },
  { long: 'help', short: 'h', type: 'boolean', help: 'Show this help.' },
];

const byLong = new Map(FLAGS.map((f) => [f.long, f]));
const byShort = new Map(FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));

/** A level as istioctl accepts it, in any case. */
export function parseLevel(value: string): Level | undefined {
  return LEVELS.find((level) => level.toLowerCase() === value.toLowerCase());
}

function parseBoolean(flag: Flag, value: string | undefined): boolean | string {
  if (value === undefined) return true;
  if (/^(true|t|1)$/i.test(value)) return true;
  if (/^(false|f|0)$/i.test(value)) return false;
  return `--${flag.long} takes true or false, not "${value}"`;
}

function parseSuppression(value: string): Suppression | string {
  const parts = value.split('=');
  if (parts.length !== 2 || !parts[0] || !parts[1])
    return `"${value}" is not a valid suppression: use CODE=RESOURCE, e.g. "IST0101=VirtualService shop/checkout"`;
  return { code: parts[0].trim(), resource: parts[1].trim() };
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  const booleans = new Map<string, boolean>();
  const positional: string[] = [];
  const error = (message: string): ParsedArgs => ({ kind: 'error', message });

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    let flag: Flag | undefined;
    let inline: string | undefined;
    let name: string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      flag = byLong.get(name);
      name = `--${name}`;
    } else {
      name = `-${arg[1]}`;
      flag = byShort.get(arg[1]!);
      const rest = arg.slice(2);
      if (rest) inline = rest.startsWith('=') ? rest.slice(1) : rest;
    }
    if (!flag) return error(`unknown flag: ${name}`);
    if (flag.type === 'boolean') {
      const parsed = parseBoolean(flag, inline);
      if (typeof parsed === 'string') return error(parsed);
      booleans.set(flag.long, parsed);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) return error(`flag needs an argument: ${name}`);
      value = argv[++i]!;
    }
    values.set(flag.long, [...(values.get(flag.long) ?? []), value]);
  }

  if (booleans.get('help')) return { kind: 'help' };
  const last = (long: string) => values.get(long)?.at(-1);
  const warnings: string[] = [];

  const outputValue = (last('output') ?? 'text').toLowerCase();
  const output: OutputFormat | undefined =
    outputValue === 'log' || outputValue === 'text' ? 'text' : outputValue === 'json' || outputValue === 'yaml' ? outputValue : undefined;
  if (!output) return error(`${last('output')} not a valid option for format: use text, json or yaml`);

  const thresholds: Partial<Record<'failure-threshold' | 'output-threshold', Level>> = {};
  for (const long of ['failure-threshold', 'output-threshold'] as const) {
    const value = last(long);
    if (value === undefined) continue;
    const level = parseLevel(value);
    if (!level) return error(`--${long} takes ${LEVELS.join(', ')}, not "${value}"`);
    thresholds[long] = level;
  }

  const namespace = last('namespace');
  if (namespace !== undefined && !isDnsLabel(namespace)) return error(`-n "${namespace}" is not a namespace name: use ${LABEL_RULE}`);

  const suppressions: Suppression[] = [];
  for (const value of values.get('suppress') ?? []) {
    const parsed = parseSuppression(value);
    if (typeof parsed === 'string') return error(parsed);
    if (!isKnownCode(parsed.code)) warnings.push(`Warning: Supplied message code '${parsed.code}' is an unknown message code and will not have any effect.`);
    suppressions.push(parsed);
  }

  return {
    kind: 'run',
    warnings,
    options: {
      files: [...(values.get('filename') ?? []), ...positional],
      recursive: booleans.get('recursive') ?? false,
      useKube: booleans.get('use-kube') ?? true,
      ...(namespace !== undefined ? { namespace } : {}),
      allNamespaces: booleans.get('all-namespaces') ?? false,
      output,
      failureThreshold: thresholds['failure-threshold'] ?? 'Error',
      outputThreshold: thresholds['output-threshold'] ?? 'Info',
      suppressions,
      ...(last('kubeconfig') !== undefined ? { kubeconfig: last('kubeconfig') } : {}),
      ...(last('context') !== undefined ? { context: last('context') } : {}),
      ...(last('meshConfigFile') !== undefined ? { meshConfigFile: last('meshConfigFile') } : {}),
      listAnalyzers: booleans.get('list-analyzers') ?? false,
      ignoreUnknown: booleans.get('ignore-unknown') ?? false,
      verbose: booleans.get('verbose') ?? false,
    },
  };
}

/** `--help`. */
export function usage(): string {
  const lines = FLAGS.map((flag) => {
    const names = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.long}${flag.value ? ` ${flag.value}` : ''}`;
    return `  ${names.padEnd(36)}${flag.help}`;
  });
  return [
    'Analyze Istio configuration and print validation messages, as `istioctl analyze` does.',
    '',
    'Usage: npm run analyze -- [FILE|DIR ...] [flags]',
    '',
    'Examples:',
    '  npm run analyze -- -A                                   # the live cluster, every namespace',
    '  npm run analyze -- -f changes/ -n shop                  # the cluster as it would be with changes/ applied',
    '  npm run analyze -- --use-kube=false -R -f manifests/    # files only, no cluster',
    '  kubectl get vs,dr -A -o yaml | npm run analyze -- --use-kube=false -A -',
    '',
    'Flags:',
    ...lines,
    '',
    'Exit codes: 0 no finding at the failure threshold; 79 findings at or above it; 64 bad flags;',
    '65 a document could not be parsed (without --ignore-unknown); 1 anything else (e.g. the cluster could not be read).',
  ].join('\n');
}
