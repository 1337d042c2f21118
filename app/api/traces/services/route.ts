import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { services } from '@/lib/metrics/jaeger';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    await requireUser('read');
    return json({ items: (await services()).sort() });
  } catch (error) {
    return errorResponse(error);
  }
}
