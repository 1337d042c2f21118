import NextAuth from 'next-auth';
import { signInAttempt } from '@/lib/auth/sign-in-limit';
import { authOptions } from '@/lib/auth/session';

const nextAuth = NextAuth(authOptions) as (request: Request, context: unknown) => Promise<Response>;

// Sign-in attempts (not session reads or sign-outs) pass the per-address backoff first.
async function handler(request: Request, context: unknown): Promise<Response> {
  const attempt = signInAttempt(request);
  if (attempt.refused) return attempt.refused;
  const response = await nextAuth(request, context);
  attempt.settle(response);
  return response;
}

export { handler as GET, handler as POST };
