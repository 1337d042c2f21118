// The pages' Content-Security-Policy: scripts only with this response's nonce (Next puts it on
// its own inline and chunk scripts when it finds it in the request's CSP header), and what those
// load ('strict-dynamic'); never 'unsafe-inline' for scripts. React's style attributes still need
// 'unsafe-inline' for styles, which cannot run code.

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

/** The policy for one response; `development` adds what `next dev` needs (eval for fast refresh, its websocket). */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${development ? ' ws:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
