import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { listNamespaces } from '@/lib/k8s/namespaces';

export const dynamic = 'force-dynamic';

/** The cluster's namespaces, from the watch-backed cache. */
export async function GET() {
  try {
    await requireUser('read');
    return json({ items: await listNamespaces() });
  } catch (error) {
    return errorResponse(error);
  }
}
