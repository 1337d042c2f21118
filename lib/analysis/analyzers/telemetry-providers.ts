// An accessLogging entry with no providers is ignored when the mesh config names no default
// access-log provider (Istio's telemetry.ProviderAnalyzer, IST0157).
import { K } from '../kinds';
import { meshConfig } from '../mesh-config';
import type { Analyzer } from '../types';

interface TelemetrySpec {
  accessLogging?: { providers?: unknown[]; disabled?: boolean }[];
}

export const telemetryProviders: Analyzer = {
  id: 'telemetry.provider',
  description: 'Access logging in a Telemetry names a provider when the mesh has no default one',
  kinds: [K.Telemetry],
  codes: ['IST0157'],
  check(telemetry, context) {
    if ((meshConfig(context).defaultProviders.accessLogging ?? []).length > 0) return;
    ((telemetry.spec as TelemetrySpec | undefined)?.accessLogging ?? []).forEach((logging, i) => {
      if (logging.disabled === true || (logging.providers ?? []).length > 0) return;
      context.report(
        'IST0157',
        `The Telemetry ${telemetry.metadata.name} in namespace ${JSON.stringify(telemetry.metadata.namespace ?? '')} with empty providers will be ignored.`,
        { path: `spec.accessLogging[${i}]` },
      );
    });
  },
};

/** Names of the mesh config's Lightstep extension providers. */
function lightstepProviders(raw: Record<string, unknown>): Set<string> {
  const providers = Array.isArray(raw.extensionProviders) ? (raw.extensionProviders as { name?: unknown; lightstep?: unknown }[]) : [];
  return new Set(providers.filter((p) => p.lightstep !== undefined && typeof p.name === 'string').map((p) => p.name as string));
}

/** Tracing through a Lightstep provider, which Istio deprecates (Istio's telemetry.LightstepAnalyzer, IST0002). */
export const telemetryLightstep: Analyzer = {
  id: 'telemetry.lightstep',
  description: 'No Telemetry traces through the deprecated Lightstep provider',
  kinds: [K.Telemetry],
  codes: ['IST0002'],
  check(telemetry, context) {
    const lightstep = lightstepProviders(meshConfig(context).raw);
    if (lightstep.size === 0) return;
    ((telemetry.spec as { tracing?: { providers?: { name?: string }[] }[] } | undefined)?.tracing ?? []).forEach((tracing, i) =>
      (tracing.providers ?? []).forEach((provider, j) => {
        if (!provider.name || !lightstep.has(provider.name)) return;
        context.report('IST0002', `Deprecated: The Lightstep provider ${provider.name} is deprecated, please migrate to OpenTelemetry provider.`, {
          path: `spec.tracing[${i}].providers[${j}]`,
        });
      }),
    );
  },
};
