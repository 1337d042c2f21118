// What the EnvoyFilter analyzers read of an EnvoyFilter (networking.istio.io/v1alpha3).

export interface EnvoyConfigPatch {
  applyTo?: string;
  match?: {
    context?: string;
    proxy?: { proxyVersion?: string };
    listener?: { filterChain?: { filter?: { name?: string } } };
  };
  patch?: { operation?: string; value?: unknown };
}

export interface EnvoyFilterSpec {
  priority?: number;
  configPatches?: EnvoyConfigPatch[];
}

export const configPatches = (spec: unknown): EnvoyConfigPatch[] => (spec as EnvoyFilterSpec | undefined)?.configPatches ?? [];
