import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { cacheFor } from '@/lib/k8s/caches';
import { peerAuthentications } from '@/lib/k8s/resources';
import { emergencyOf, type EmergencyState } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';
import { revertArming } from '@/lib/security/emergency-reconciler';

export const dynamic = 'force-dynamic';

/** Active emergencies and whether their automatic revert is armed, for the banner on every page. */
export async function GET() {
  try {
    await requireUser('read');
    const [cache, revert] = await Promise.all([cacheFor<PeerAuthentication>(peerAuthentications), revertArming()]);
    return json({ items: cache.list().map(emergencyOf).filter((e): e is EmergencyState => Boolean(e)), revert });
  } catch (error) {
    return errorResponse(error);
  }
}
