# syntax=docker/dockerfile:1
# One image for the three processes of redis-dts-sync; docker-compose.yml picks the
# command per service:
#   worker    node dist/worker/main.js                (the default CMD)
#   api       node_modules/.bin/tsx api/main.ts
#   emulator  node_modules/.bin/tsx emulator/main.ts  (the DTS OpenAPI emulator; trials only)
# The API and the emulator run their TypeScript through tsx, as in development. The worker runs the
# JavaScript that scripts/build.ts writes, with the workflow bundle built ahead (the bundler options the
# tests use): about 130 MB less RSS than tsx plus bundling at start (docs/performance.md).
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE}

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app

# Dependencies first, so a source change reuses this layer. Production dependencies
# only (tsx is one); the lockfile decides every version.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY tsconfig.json ./
COPY common ./common
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY api ./api
COPY emulator ./emulator
# The emulator enforces the shipped RAM policy by default.
COPY deploy/ram-policy.json ./deploy/
COPY scripts/build.ts ./scripts/
RUN node_modules/.bin/tsx scripts/build.ts

# Writable place for the emulator's state file (a named volume in compose).
RUN mkdir -p /data && chown node:node /data

# The image's unprivileged `node` user (uid 1000); the source stays root-owned, read-only to it.
USER node
EXPOSE 3000 8780 9464
CMD ["node", "dist/worker/main.js"]
