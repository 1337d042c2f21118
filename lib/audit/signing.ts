// Entries Meshdeck writes carry an HMAC over their canonical content, so an entry planted or
// altered by anyone else who can write ConfigMaps is told apart (and never reverted).
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { serverEnv } from '@/lib/env';
import { canonicalJson, type AuditEntry, type UnsignedEntry } from './entry';

const MIN_KEY_LENGTH = 32;
const DOMAIN = 'meshdeck-audit-entry-v2\n';

/** Whether this process signs entries, and if not, why (shown on the Audit page). */
export type SigningState = { signing: true; source: 'MESHDECK_AUDIT_KEY' | 'NEXTAUTH_SECRET' } | { signing: false; reason: string };

interface Keyed {
  state: SigningState;
  key?: Buffer;
}

/**
 * The signing key: MESHDECK_AUDIT_KEY, else derived from the session secret with HKDF-SHA256
 * (its own key, so an audit signature never doubles as a session token). No secret, or one
 * too short to resist guessing: no signing at all, and the page says so.
 */
export function signingKey(env: Record<string, string | undefined> = serverEnv()): Keyed {
  const own = env.MESHDECK_AUDIT_KEY;
  if (own !== undefined && own !== '') {
    if (own.length < MIN_KEY_LENGTH)
      return { state: { signing: false, reason: `MESHDECK_AUDIT_KEY is shorter than ${MIN_KEY_LENGTH} characters: audit entries are not signed` } };
    return { state: { signing: true, source: 'MESHDECK_AUDIT_KEY' }, key: Buffer.from(own, 'utf8') };
  }
  const session = env.NEXTAUTH_SECRET || env.AUTH_SECRET;
  if (session) {
    const key = Buffer.from(hkdfSync('sha256', Buffer.from(session, 'utf8'), 'meshdeck-audit', 'audit-entry-hmac-v1', 32));
    return { state: { signing: true, source: 'NEXTAUTH_SECRET' }, key };
  }
  return {
    state: {
      signing: false,
      reason: 'neither MESHDECK_AUDIT_KEY nor NEXTAUTH_SECRET is set: audit entries are not signed, so none can be trusted or reverted',
    },
  };
}

function mac(key: Buffer, entry: UnsignedEntry): Buffer {
  return createHmac('sha256', key).update(DOMAIN).update(canonicalJson(entry)).digest();
}

/** The entry with its signature, or unsigned when signing is off. */
export function signEntry(entry: UnsignedEntry, keyed = signingKey()): AuditEntry {
  return keyed.key ? { ...entry, signature: mac(keyed.key, entry).toString('hex') } : entry;
}

/** Whether the entry's signature is one this Meshdeck made over exactly this content. */
export function verifyEntry(entry: AuditEntry, keyed = signingKey()): boolean {
  if (!keyed.key || !entry.signature) return false;
  const { signature, ...content } = entry;
  const expected = mac(keyed.key, content);
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
