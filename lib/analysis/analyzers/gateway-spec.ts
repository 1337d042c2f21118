// What the gateway analyzers read of an Istio Gateway (networking.istio.io, any version), and how
// Istio compares its hosts.

export interface ServerTls {
  mode?: string;
  credentialName?: string;
  serverCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
}

export interface GatewayServer {
  port?: { number?: number; name?: string; protocol?: string };
  hosts?: string[];
  tls?: ServerTls;
}

export interface GatewaySpec {
  selector?: Record<string, string>;
  servers?: GatewayServer[];
}

/**
 * Istio's host.Name.Matches: two hosts overlap when they are equal, or a wildcard (`*.example.com`,
 * `*`) covers the other; symmetric.
 */
export function hostsOverlap(a: string, b: string): boolean {
  const aWild = a.startsWith('*');
  const bWild = b.startsWith('*');
  if (aWild && bWild) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aWild) return b.endsWith(a.slice(1));
  if (bWild) return a.endsWith(b.slice(1));
  return a === b;
}
