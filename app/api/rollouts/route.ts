import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readRollouts } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** Every rollout recorded on a VirtualService (one namespace, or all) and whether the controller is armed; the live stream pushes the same. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => readRollouts(user!, query.namespace));
