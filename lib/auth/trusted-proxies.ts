// Which X-Forwarded-* headers to believe. Next.js does not hand route handlers the TCP peer: it
// fills X-Forwarded-For with the socket address only when the request carries none. So the
// forwarded headers are trusted only when MESHDECK_TRUSTED_PROXIES declares that a proxy fronts
// Meshdeck (and the deployment keeps direct connections away, e.g. with its NetworkPolicy).
import { BlockList, isIP } from 'node:net';
import { serverEnv, type ServerEnv } from '@/lib/env';

type Env = Record<string, string | undefined>;

/** The proxies Meshdeck believes, from MESHDECK_TRUSTED_PROXIES ("10.0.0.0/8, 192.168.1.7, fd00::/8"). */
export interface TrustedProxies {
  configured: boolean;
  has(address: string): boolean;
}

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
// "::ffff:10.1.2.3" is how Node writes an IPv4 peer on a dual-stack socket.
const plain = (address: string) => address.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

/** Parses MESHDECK_TRUSTED_PROXIES; throws on an entry that is neither an address nor a CIDR. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const list = new BlockList();
  const entries = (value ?? '').split(/[,\s]+/).filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    if (!isIP(address) || (prefix !== undefined && !/^\d{1,3}$/.test(prefix)))
      throw new Error(`MESHDECK_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
    if (prefix === undefined) list.addAddress(address, family(address));
    else list.addSubnet(address, Number(prefix), family(address));
  }
  return {
    configured: entries.length > 0,
    has: (address) => {
      const ip = plain(address);
      return isIP(ip) !== 0 && list.check(ip, family(ip));
    },
  };
}

let fromEnvironment: { env: ServerEnv; proxies: TrustedProxies } | undefined;
/** MESHDECK_TRUSTED_PROXIES of `env`, or of this process (parsed once per configuration). */
export function trustedProxies(env?: Env): TrustedProxies {
  if (env) return parseTrustedProxies(env.MESHDECK_TRUSTED_PROXIES);
  const current = serverEnv();
  if (fromEnvironment?.env !== current) fromEnvironment = { env: current, proxies: parseTrustedProxies(current.MESHDECK_TRUSTED_PROXIES) };
  return fromEnvironment.proxies;
}

/**
 * The client's address: X-Forwarded-For read from the right, skipping the trusted proxies
 * (each appends the address it saw). Without trusted proxies it is the last entry, which is
 * the socket's peer whenever the client sent no X-Forwarded-For of its own.
 */
export function clientAddress(headers: Headers, proxies: TrustedProxies): string {
  const hops = (headers.get('x-forwarded-for') ?? '').split(',').map(plain).filter(Boolean);
  if (!proxies.configured) return hops.at(-1) ?? 'unknown';
  for (let i = hops.length - 1; i >= 0; i--) if (!proxies.has(hops[i]!)) return hops[i]!;
  return hops[0] ?? 'unknown';
}

/**
 * The origins this dashboard answers on: NEXTAUTH_URL's, the Host header's, and only with
 * trusted proxies the one X-Forwarded-Host/-Proto name.
 */
export function ownOrigins(headers: Headers, proxies: TrustedProxies, env: Env = serverEnv()): string[] {
  const origins = new Set<string>();
  if (env.NEXTAUTH_URL) {
    try {
      origins.add(new URL(env.NEXTAUTH_URL).origin);
    } catch {
      // A malformed NEXTAUTH_URL is next-auth's error to report; the Host header still counts.
    }
  }
  const host = headers.get('host');
  if (host) for (const scheme of ['http', 'https']) origins.add(`${scheme}://${host}`);
  const forwardedHost = headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  if (proxies.configured && forwardedHost) {
    const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'http' ? 'http' : 'https';
    origins.add(`${proto}://${forwardedHost}`);
  }
  return [...origins];
}
