# syntax=docker/dockerfile:1
# One image for the three processes of redis-dts-sync; docker-compose.yml and the Helm chart pick the
# command per service:
#   worker    node dist/worker/main.js                (the default CMD)
#   api       node_modules/.bin/tsx api/main.ts
#   emulator  node_modules/.bin/tsx emulator/main.ts  (the DTS OpenAPI emulator; trials only)
# The API and the emulator run their TypeScript through tsx, as in development. The worker runs the
# JavaScript that scripts/build.ts writes, with the workflow bundle built ahead (the bundler options the
# tests use): about 130 MB less RSS than tsx plus bundling at start (docs/performance.md).
# Two stages: the build stage transpiles the worker and bundles the workflows; the runtime stage holds
# production dependencies only, the build's output and the sources tsx runs. No compiler, no npm cache.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY common ./common
COPY core ./core
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY scripts/build.ts ./scripts/
RUN node_modules/.bin/tsx scripts/build.ts

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Dependencies first, so a source change reuses this layer. Production dependencies only (tsx is one);
# the lockfile decides every version.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf /root/.npm /tmp/*
COPY tsconfig.json ./
COPY common ./common
COPY core ./core
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY api ./api
COPY emulator ./emulator
# The emulator enforces the shipped RAM policy by default.
COPY deploy/ram-policy.json ./deploy/
COPY --from=build /app/dist ./dist

# Writable place for the emulator's state file (a named volume in compose).
RUN mkdir -p /data && chown node:node /data

# The image's unprivileged `node` user (uid 1000, the Helm chart's runAsUser); the code stays root-owned,
# read-only to it, so the container also runs with a read-only root filesystem (tsx writes to /tmp only).
USER node
EXPOSE 3000 8780 9464
CMD ["node", "dist/worker/main.js"]
