import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { cacheFor } from '@/lib/k8s/caches';
import { peerAuthentications } from '@/lib/k8s/resources';
import { emergencyOf, type EmergencyState } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';

export const dynamic = 'force-dynamic';

/** Active emergencies, for the banner on every page. */
export async function GET() {
  try {
    await requireUser('read');
    const cache = await cacheFor<PeerAuthentication>(peerAuthentications);
    return json({ items: cache.list().map(emergencyOf).filter((e): e is EmergencyState => Boolean(e)) });
  } catch (error) {
    return errorResponse(error);
  }
}
