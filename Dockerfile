# syntax=docker/dockerfile:1
# The ecs-operator image: TypeScript compiled in a build stage, run on a slim Node.js with production
# dependencies only, as a non-root user. test/unit/dockerfile.test.ts checks this file's shape and runs what
# each stage runs (npm run build, npm ci --omit=dev, the entrypoint's --help) on the project's Node.js.

# The Node.js release the project pins (package.json's "node" dependency); the unit test keeps them equal.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION} AS build
WORKDIR /app
# Dependencies first, so that a change of the sources alone reuses this layer. Install scripts are skipped:
# the only one that matters is the "node" package's, which would download a second Node.js.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY operator ./operator
RUN npm run build

FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/operator ./dist/operator
# The CLI validates manifests against the CRDs it finds beside its installation.
COPY crds ./crds
# uid 1000 is the image's "node" user; numeric, so that runAsNonRoot can verify it without /etc/passwd.
USER 1000:1000
# /metrics, /healthz and /readyz.
EXPOSE 8080
# The memory flags of operator/src/cli/node-flags.ts.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--optimize-for-size", "dist/operator/src/cli/main.js"]
CMD ["run"]
