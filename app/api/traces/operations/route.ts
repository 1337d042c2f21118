import { z } from 'zod';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { operations } from '@/lib/metrics/jaeger';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  try {
    await requireUser('read');
    const service = z.string().min(1).max(200).parse(new URL(request.url).searchParams.get('service'));
    return json({ items: (await operations(service)).sort() });
  } catch (error) {
    return errorResponse(error);
  }
}
