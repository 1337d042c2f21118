// A ServiceEntry port that is TCP (or has no protocol) is matched by address: without addresses
// it captures the port for every host (Istio's serviceentry.ProtocolAddressesAnalyzer, IST0134).
// Addresses allocated by Istio count: in the entry's status, or by the proxies' DNS capture with
// auto-allocation switched on in the mesh config's defaultConfig.proxyMetadata.
import { K } from '../kinds';
import { meshConfig } from '../mesh-config';
import type { Analyzer, View } from '../types';

interface ServiceEntrySpec {
  addresses?: string[];
  ports?: { number?: number; protocol?: string }[];
}

function proxiesAllocateAddresses(view: View): boolean {
  const defaultConfig = meshConfig(view).raw.defaultConfig as { proxyMetadata?: Record<string, string> } | undefined;
  const metadata = defaultConfig?.proxyMetadata ?? {};
  if (metadata.ISTIO_META_DNS_CAPTURE !== 'true') return false;
  return metadata.ISTIO_META_DNS_AUTO_ALLOCATE === 'true' || metadata.PILOT_ENABLE_IP_AUTOALLOCATE === 'true';
}

export const serviceEntryProtocolAddresses: Analyzer = {
  id: 'serviceentry.protocoladdresses',
  description: 'A ServiceEntry with TCP (or unset) protocol ports has addresses',
  kinds: [K.ServiceEntry],
  codes: ['IST0134'],
  check(entry, context) {
    const spec = (entry.spec ?? {}) as ServiceEntrySpec;
    if (spec.addresses?.length) return;
    if (((entry.status as { addresses?: unknown[] } | undefined)?.addresses ?? []).length > 0) return;
    if (proxiesAllocateAddresses(context)) return;
    (spec.ports ?? []).forEach((port, i) => {
      if (port.protocol && port.protocol.toUpperCase() !== 'TCP') return;
      context.report('IST0134', 'ServiceEntry addresses are required for this protocol.', { path: `spec.ports[${i}]` });
    });
  },
};
