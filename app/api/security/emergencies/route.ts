import { route } from '@/lib/http/route';
import { cacheFor } from '@/lib/k8s/caches';
import { peerAuthentications } from '@/lib/k8s/resources';
import { emergencyOf, type EmergencyState } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';
import { revertArming } from '@/lib/security/emergency-reconciler';

export const dynamic = 'force-dynamic';

/** Active emergencies and whether their automatic revert is armed, for the banner on every page. */
export const GET = route({ auth: 'read' }, async () => {
  const [cache, revert] = await Promise.all([cacheFor<PeerAuthentication>(peerAuthentications), revertArming()]);
  return {
    items: cache
      .list()
      .map(emergencyOf)
      .filter((e): e is EmergencyState => Boolean(e)),
    revert,
  };
});
