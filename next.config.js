// @ts-check

const production = process.env.NODE_ENV === 'production';

// Next's hydration uses inline scripts; React styles use style attributes. Everything
// else is this origin only, and no site may frame the dashboard.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${production ? '' : " 'unsafe-eval'"}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  `connect-src 'self'${production ? '' : ' ws:'}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

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
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: contentSecurityPolicy },
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
