// `npm run analyze` from arguments to exit code, with its I/O handed in (tests run it on
// files and on a sandbox without a subprocess; scripts/analyze.ts wires it to the process).
import { readFileSync } from 'node:fs';
import { Analysis } from '../engine';
import { keyOf, kindOf, objectKey } from '../kinds';
import { ANALYZERS } from '../registry';
import type { AnalysisObject, Analyzer, Finding, Kind } from '../types';
import { parseArgs, usage, type AnalyzeOptions } from './args';
import type { ClusterRead } from './cluster';
import {
  defaultIngressGateway,
  inAnalyzedNamespace,
  meshConfigMap,
  isAnalyzedKind,
  overlay,
  parseObjects,
  withNamespace,
  type ParseProblem,
  type Place,
} from './documents';
import { gatherSources } from './files';
import { atOrAbove, cleanLine, EXIT, exitCodeFor, render, selectFindings } from './format';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  /** Reads the cluster (called only with --use-kube, after --kubeconfig/--context are applied). */
  readCluster(options: Pick<AnalyzeOptions, 'kubeconfig' | 'context'>): Promise<ClusterRead>;
  analyzers?: readonly Analyzer[];
}

/** istioctl -L: each analyzer's id and description, sorted. */
const analyzerList = (analyzers: readonly Analyzer[]) =>
  [...analyzers]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((a) => `* ${a.id}:\n    ${a.description}`)
    .join('\n');

async function readFiles(options: AnalyzeOptions, io: CliIO, defaultNamespace: string) {
  const { sources, notes } = gatherSources(options.files, options.recursive, io.readStdin);
  notes.forEach((note) => io.stderr(note));
  const objects: AnalysisObject[] = [];
  const problems: ParseProblem[] = [];
  /** Where each object (by key) was last written: a later file's object replaces an earlier one. */
  const places = new Map<string, Place>();
  let skipped = 0;
  for (const source of sources) {
    const parsed = parseObjects(await source.read(), source.name);
    problems.push(...parsed.problems);
    parsed.objects.forEach((object, i) => {
      if (!isAnalyzedKind(kindOf(object))) return void skipped++;
      const placed = withNamespace(object, defaultNamespace);
      objects.push(placed);
      places.set(keyOf(placed), parsed.places[i]!);
    });
  }
  const referenceOf = (finding: Finding) => {
    const place = places.get(objectKey(kindOf(finding.origin), finding.origin.namespace, finding.origin.name));
    if (!place) return undefined;
    const line = place.lineOf(finding.path);
    return line === undefined ? place.source : `${place.source}:${line}`;
  };
  return { names: sources.map((s) => s.name), objects: objects.filter(inAnalyzedNamespace), problems, skipped, referenceOf };
}

export async function runAnalyze(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout(usage());
    return EXIT.ok;
  }
  if (parsed.kind === 'error') {
    io.stderr(`Error: ${parsed.message}\nRun with --help for usage.`);
    return EXIT.usage;
  }
  const { options, warnings } = parsed;
  warnings.forEach((warning) => io.stderr(warning));
  const analyzers = io.analyzers ?? ANALYZERS;
  if (options.listAnalyzers) {
    io.stdout(analyzerList(analyzers));
    return EXIT.ok;
  }

  const started = performance.now();
  let cluster: ClusterRead | undefined;
  if (options.useKube) {
    try {
      cluster = await io.readCluster(options);
    } catch (error) {
      io.stderr(
        `Error: could not read the cluster: ${error instanceof Error ? error.message : String(error)}\nRun with --use-kube=false to analyze files only.`,
      );
      return EXIT.unknown;
    }
    for (const { kind, reason } of cluster.notLoaded) io.stderr(`Not loaded: ${kind} (${reason}); findings that need it are left out.`);
  }
  // As istioctl: -n, else the context's namespace, else "default" (both for file objects and for the report).
  const namespace = options.namespace ?? cluster?.contextNamespace ?? 'default';

  let files;
  try {
    files = await readFiles(options, io, namespace);
  } catch (error) {
    io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.unknown;
  }
  if (files.problems.length) io.stderr(`Error(s) adding files:\n${files.problems.map((p) => `  ${p.source}: ${p.message}`).join('\n')}`);

  if (cluster && options.namespace && !options.allNamespaces) {
    const exists = [...cluster.objects, ...files.objects].some((o) => o.kind === 'Namespace' && o.metadata.name === options.namespace);
    if (!exists && cluster.loaded.includes('Namespace')) {
      io.stderr(`namespace "${options.namespace}" not found`);
      return EXIT.ok;
    }
  }

  let meshConfig: AnalysisObject[] = [];
  if (options.meshConfigFile) {
    try {
      meshConfig = [meshConfigMap(readFileSync(options.meshConfigFile, 'utf8'))];
    } catch (error) {
      io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.unknown;
    }
  }
  const base = cluster ? cluster.objects : defaultIngressGateway();
  // As istioctl: --meshConfigFile wins over the cluster's mesh config and any in the files.
  const objects = overlay(base, [...files.objects, ...meshConfig]);
  // Files can bring kinds the cluster does not serve: it has none of them, so the files' are all
  // there is. A kind we were forbidden to list stays not loaded: the cluster may hold others.
  const forbidden = new Set(cluster?.notLoaded.filter((n) => n.forbidden).map((n) => n.kind));
  const kinds: Kind[] | undefined = cluster
    ? [...new Set([...cluster.loaded, ...files.objects.map(kindOf).filter((kind) => !forbidden.has(kind))])]
    : undefined;
  const analysis = new Analysis(analyzers, objects, kinds ? { kinds } : {});
  const target = options.allNamespaces ? undefined : namespace;
  const kept = selectFindings(analysis.findings(), target, options.suppressions);
  const shown = atOrAbove(kept, options.outputThreshold);

  if (options.verbose) {
    io.stderr(
      [
        `Analyzed ${analysis.size} objects (${cluster ? `cluster context ${cluster.context}` : 'no cluster'}${files.names.length ? `, ${files.names.length} files` : ''}) in ${(performance.now() - started).toFixed(0)} ms, reporting on ${target === undefined ? 'all namespaces' : `namespace: ${target}`}.`,
        ...(files.skipped ? [`Skipped ${files.skipped} objects of kinds no analyzer reads.`] : []),
        `Executed analyzers:\n${analyzers.map((a) => `\t ${a.id}`).join('\n')}`,
      ].join('\n'),
    );
  }

  const output = render(shown, options.output, files.referenceOf);
  if (output) io.stdout(output);
  if (shown.length === 0) {
    io.stderr(
      files.problems.length
        ? `No validation issues found when analyzing ${target === undefined ? 'all namespaces' : `namespace: ${target}`} (but ${files.problems.length} ${files.problems.length === 1 ? 'document' : 'documents'} could not be parsed).`
        : cleanLine({ files: files.names, namespace: target }),
    );
  }
  // Decided on every kept finding, whatever --output-threshold hides (as istioctl).
  const code = exitCodeFor(kept, options.failureThreshold);
  if (code === EXIT.ok && files.problems.length && !options.ignoreUnknown) return EXIT.dataError;
  if (code !== EXIT.ok) io.stderr(`Analyzers found issues when analyzing ${target === undefined ? 'all namespaces' : `namespace: ${target}`}.`);
  return code;
}
