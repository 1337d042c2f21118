// @ts-check

// Pages get their Content-Security-Policy from proxy.ts (a fresh script nonce per response);
// these headers go on every answer, API included.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // A self-contained server (.next/standalone/server.js with only the traced production
  // dependencies) for the container image; see Dockerfile. `next start` still works (with a warning).
  output: 'standalone',
  poweredByHeader: false,
  // The Kubernetes client pulls in Node-only modules (ws, undici, jsonpath); keep it out of the bundle.
  serverExternalPackages: ['@kubernetes/client-node'],
  async headers() {
    return [
      // JSON answers load nothing and are never framed.
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
