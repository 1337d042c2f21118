// Two ServiceEntries visible in one namespace that give one host and port different protocols:
// Istio uses only one of them (Istio's serviceentry.ConflictingServiceEntryProtocolAnalyzer,
// IST0177). Hosts compare as written, visibility follows exportTo (none or `*`: everywhere).
import { K } from '../kinds';
import type { AnalysisObject, Analyzer, IndexDefinition } from '../types';

interface ServiceEntrySpec {
  hosts?: string[];
  ports?: { number?: number; protocol?: string }[];
  exportTo?: string[];
}

const ALL = '*';
const specOf = (entry: AnalysisObject) => (entry.spec ?? {}) as ServiceEntrySpec;

/** ServiceEntries by `host|port` for every host and port number they declare. */
const SERVICE_ENTRIES_BY_HOST_PORT: IndexDefinition = {
  id: 'serviceentry.hostport',
  kind: K.ServiceEntry,
  keys: (entry) => {
    const { hosts = [], ports = [] } = specOf(entry);
    return [...new Set(hosts.flatMap((host) => ports.map((port) => `${host}|${port.number ?? 0}`)))];
  },
};

function scopesOf(entry: AnalysisObject): Set<string> {
  const exportTo = specOf(entry).exportTo ?? [];
  if (exportTo.length === 0 || exportTo.includes(ALL)) return new Set([ALL]);
  return new Set(exportTo.map((to) => (to === '.' ? (entry.metadata.namespace ?? '') : to)));
}

const fullName = (entry: AnalysisObject) => `${entry.metadata.namespace}/${entry.metadata.name}`;

export const serviceEntryConflictingProtocols: Analyzer = {
  id: 'serviceentry.conflictingserviceentryprotocol',
  description: 'ServiceEntries visible together agree on the protocol of each host and port',
  kinds: [K.ServiceEntry],
  codes: ['IST0177'],
  indexes: [SERVICE_ENTRIES_BY_HOST_PORT],
  check(entry, context) {
    const { hosts = [], ports = [] } = specOf(entry);
    const ownScopes = scopesOf(entry);
    for (const host of hosts) {
      for (const number of new Set(ports.map((port) => port.number ?? 0))) {
        const others = context.lookup(SERVICE_ENTRIES_BY_HOST_PORT.id, `${host}|${number}`).map((other) => ({ other, scopes: scopesOf(other) }));
        // The namespaces where this entry meets others: its own, or, exported everywhere, every other entry's.
        const scopes = new Set(ownScopes);
        if (ownScopes.has(ALL)) for (const { scopes: theirs } of others) for (const scope of theirs) scopes.add(scope);
        for (const scope of [...scopes].sort()) {
          const visible = others.filter(({ scopes: theirs }) => theirs.has(scope) || (scope !== ALL && theirs.has(ALL))).map(({ other }) => other);
          const protocols = new Set(
            visible.flatMap((other) =>
              (specOf(other).ports ?? []).filter((port) => (port.number ?? 0) === number).map((port) => (port.protocol ?? '').toUpperCase()),
            ),
          );
          if (protocols.size < 2) continue;
          const names = [...new Set(visible.map(fullName))].sort().join(', ');
          context.report(
            'IST0177',
            `Multiple ServiceEntries (${names}) define the same host ${JSON.stringify(host)} and port ${number} with conflicting protocols (${[...protocols].sort().join(', ')}).`,
            { path: 'metadata.name' },
          );
          // Istio reports each entry once, for the first conflict it meets.
          return;
        }
      }
    }
  },
};
