// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The Kubernetes client pulls in Node-only modules (ws, undici, jsonpath); keep it out of the bundle.
  serverExternalPackages: ['@kubernetes/client-node'],
};

export default nextConfig;
