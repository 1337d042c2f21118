import { signInThrottle, type SignInThrottle } from './sign-in-throttle';
import { clientAddress, trustedProxies, type TrustedProxies } from './trusted-proxies';

/** An attempt the backoff let through, to be settled with next-auth's answer; or the 429 that refused it. */
export type SignInAttempt = { refused: Response; settle?: undefined } | { refused?: undefined; settle(response: Response): void };

// The steps of a sign-in: starting one at a provider, and coming back from it (or posting credentials).
const SIGN_IN_PATH = /\/api\/auth\/(signin|callback)\/[^/]+$/;

/** Whether next-auth's answer is a failed sign-in: a redirect to its error or sign-in page with ?error=. */
export function failedSignIn(response: Response): boolean {
  if (response.status === 401) return true;
  const location = response.headers.get('location') ?? '';
  return /[?&]error=/.test(location);
}

/**
 * Applies the per-address backoff to sign-in requests: refuses with 429 and Retry-After while
 * the address is backing off, and counts the attempt's outcome once next-auth answered.
 * Failed passwords are counted per user as well, in the credentials check (lib/auth/options).
 */
export function signInAttempt(request: Request, throttle: SignInThrottle = signInThrottle(), proxies: TrustedProxies = trustedProxies()): SignInAttempt {
  const { pathname } = new URL(request.url);
  if (!SIGN_IN_PATH.test(pathname)) return { settle: () => undefined };
  const keys = [`address:${clientAddress(request.headers, proxies)}`];
  const wait = throttle.retryAfterSeconds(keys);
  if (wait > 0) {
    const refused = Response.json(
      { error: `Too many failed sign-ins from your address: try again in ${wait} s` },
      { status: 429, headers: { 'retry-after': String(wait) } },
    );
    return { refused };
  }
  return {
    settle(response) {
      if (failedSignIn(response)) throttle.recordFailure(keys);
    },
  };
}
