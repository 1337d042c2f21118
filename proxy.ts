// Runs before Next routes a request. Pages get a Content-Security-Policy with a fresh nonce;
// /api paths whose percent-encoding does not decode get the API's JSON 400 here, because Next's
// own answer to them is a 500 (see lib/http/path-encoding).
import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, newNonce } from '@/lib/auth/content-security-policy';
import { decodablePath } from '@/lib/http/path-encoding';

/** Refuses /api paths that are not valid percent-encoded UTF-8; gives every page its nonce and CSP. */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    if (decodablePath(pathname)) return NextResponse.next();
    const message = 'The path is not valid percent-encoding (each % must start an escape of UTF-8 bytes, e.g. %20)';
    return NextResponse.json({ error: { status: 400, reason: 'BadRequest', message } }, { status: 400, headers: { 'cache-control': 'no-store' } });
  }
  const policy = contentSecurityPolicy(newNonce(), process.env.NODE_ENV === 'development');
  // Next reads the nonce from the request's CSP header and puts it on the scripts it renders.
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [
    '/api/:path*',
    // Pages, not their static files; a prefetch's answer is not a document, so it needs no policy.
    {
      source: '/((?!_next/static|_next/image|favicon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
