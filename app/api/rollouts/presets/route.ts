import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { readMeshdeckConfig } from '@/lib/config/reader';
import { rolloutPresets } from '@/lib/config/schema';
import { route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** The plan templates for a namespace's routes: the mesh configuration's (the namespace's, then the root's), then the built-in ones. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query: { namespace } }) =>
  visibleAnswer(user!, namespace, async () => ({ items: rolloutPresets(await readMeshdeckConfig(), namespace) })),
);
