# syntax=docker/dockerfile:1
# Meshdeck's container image: Next's standalone server on Node.js 24, as a non-root user.
#   docker build -t meshdeck:0.1.0 .
# deploy/ runs it in a cluster (deploy/README.md).

# The Node the project pins (package.json devDependencies.node); deploy/deploy.test.ts
# checks that the two agree.
ARG NODE_VERSION=24.21.0

# Dependencies, dev dependencies included: the build needs TypeScript and Next's tooling.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Among the dev dependencies is the npm package `node`, which is how the project pins Node
# 24 outside containers: its install script fetches that Node's binary from the npm
# registry into node_modules/node. Here it is the same version as the image's own Node, so
# it does no harm (and it is glibc-built, which is one reason the image is Debian, not Alpine).
RUN npm ci --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# `npm run build` puts node_modules/.bin first on the PATH, so `next build` runs on the
# pinned Node from the deps stage; the image's Node is the same version either way.
# next.config.js sets output: 'standalone': .next/standalone holds server.js and only the
# production dependencies the server actually loads.
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
# V8's heap sized for the Deployment's 512Mi limit (why, and why 256 MB since the configuration
# analysis, a second model of the cluster: deploy/base/deployment.yaml), as `npm start` sets it too;
# `npm run bench:scale` measures with these flags and checks that the three agree.
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=4"
# A numeric user, so that Kubernetes can check runAsNonRoot (deploy/base/deployment.yaml).
RUN groupadd --system --gid 10001 meshdeck \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin meshdeck
# The application files belong to root and are read-only to the server. It writes only to
# .next/cache (an emptyDir in Kubernetes, which also allows readOnlyRootFilesystem) and /tmp.
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/public ./public
RUN mkdir -p .next/cache && chown 10001:10001 .next/cache
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
