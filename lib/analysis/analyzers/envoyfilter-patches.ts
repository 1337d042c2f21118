// EnvoyFilter patch operations that Istio ignores or may apply out of order (Istio's
// envoyfilter.EnvoyPatchAnalyzer): ADD or REMOVE on ROUTE_CONFIGURATION / HTTP_ROUTE (IST0153,
// IST0154), REPLACE outside HTTP_FILTER / NETWORK_FILTER (IST0152), and a relative operation
// (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) without a priority (IST0151), or IST0155 when an
// earlier patch for the same filter name pins a proxyVersion. As in Istio, MERGE is not flagged,
// and "earlier" is the EnvoyFilters in analysis order (namespace, then name), then this one's
// earlier patches.
import { K } from '../kinds';
import type { AnalysisObject, Analyzer, IndexDefinition } from '../types';
import { configPatches, type EnvoyConfigPatch, type EnvoyFilterSpec } from './envoyfilter-spec';

const ROUTE_LEVEL = new Set(['ROUTE_CONFIGURATION', 'HTTP_ROUTE']);
const FILTER_LEVEL = new Set(['HTTP_FILTER', 'NETWORK_FILTER']);

/**
 * The filter a patch is about, as Istio names it: the patch value's `name`, else (when the value
 * has other fields) the listener filter it matches; '' when neither.
 */
function filterName(patch: EnvoyConfigPatch): string {
  const value = patch.patch?.value;
  if (!value || typeof value !== 'object' || Object.keys(value).length === 0) return '';
  const name = (value as { name?: unknown }).name;
  if (name !== undefined && name !== null) return typeof name === 'string' ? name : JSON.stringify(name);
  return patch.match?.listener?.filterChain?.filter?.name ?? '';
}

const pinsProxyVersion = (patch: EnvoyConfigPatch) => Boolean(patch.match?.proxy?.proxyVersion);

/** The patches Istio reads: it stops at the first one without a `patch`. */
function readPatches(spec: unknown): EnvoyConfigPatch[] {
  const patches = configPatches(spec);
  const end = patches.findIndex((p) => !p.patch);
  return end < 0 ? patches : patches.slice(0, end);
}

/** EnvoyFilters under the filter names of their patches that pin a proxyVersion. */
const ENVOY_FILTERS_BY_VERSIONED_NAME: IndexDefinition = {
  id: 'envoyfilter.versioned-filter-name',
  kind: K.EnvoyFilter,
  keys: (filter) => [
    ...new Set(
      readPatches(filter.spec)
        .filter(pinsProxyVersion)
        .map((p) => `name:${filterName(p)}`),
    ),
  ],
};

const comesBefore = (a: AnalysisObject, b: AnalysisObject) =>
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') < 0 ||
  ((a.metadata.namespace ?? '') === (b.metadata.namespace ?? '') && a.metadata.name.localeCompare(b.metadata.name) < 0);

const RELATIVE_MESSAGE =
  'This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST of ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.';
const RELATIVE_WITH_VERSION_MESSAGE =
  'This EnvoyFilter does not have a priority and has a relative patch operation (NSTERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.';

export const envoyFilterPatches: Analyzer = {
  id: 'envoyfilter.envoypatch',
  description: 'Checks the patch operations of an EnvoyFilter',
  kinds: [K.EnvoyFilter],
  codes: ['IST0151', 'IST0152', 'IST0153', 'IST0154', 'IST0155'],
  indexes: [ENVOY_FILTERS_BY_VERSIONED_NAME],
  check(filter, context) {
    const priority = (filter.spec as EnvoyFilterSpec | undefined)?.priority ?? 0;
    const patches = readPatches(filter.spec);
    patches.forEach((patch, index) => {
      const path = `spec.configPatches[${index}].patch.operation`;
      const operation = patch.patch?.operation;
      const applyTo = patch.applyTo ?? '';
      let relative = false;
      if (operation === 'ADD' && ROUTE_LEVEL.has(applyTo)) {
        context.report('IST0153', 'The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.', { path });
      } else if (operation === 'REMOVE') {
        if (ROUTE_LEVEL.has(applyTo)) {
          context.report('IST0154', 'The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.', { path });
        } else relative = true;
      } else if (operation === 'REPLACE') {
        if (!FILTER_LEVEL.has(applyTo)) context.report('IST0152', 'The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER.', { path });
        else relative = true;
      } else if (operation === 'INSERT_BEFORE' || operation === 'INSERT_AFTER') {
        relative = true;
      }
      if (!relative || priority !== 0) return;
      const name = filterName(patch);
      const versionedEarlier =
        patches.slice(0, index).some((earlier) => pinsProxyVersion(earlier) && filterName(earlier) === name) ||
        context.lookup('envoyfilter.versioned-filter-name', `name:${name}`).some((other) => comesBefore(other, filter));
      if (versionedEarlier) context.report('IST0155', RELATIVE_WITH_VERSION_MESSAGE, { path });
      else context.report('IST0151', RELATIVE_MESSAGE, { path });
    });
  },
};
