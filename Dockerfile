# syntax=docker/dockerfile:1
# One image for the three processes of redis-dts-sync; docker-compose.yml picks the
# command per service:
#   worker    node_modules/.bin/tsx worker/main.ts    (the default CMD)
#   api       node_modules/.bin/tsx api/main.ts
#   emulator  node_modules/.bin/tsx emulator/main.ts  (the DTS OpenAPI emulator; trials only)
# TypeScript runs through tsx, as in development. The one build step is the workflow bundle
# (scripts/bundle-workflows.ts, the bundler options the tests use), which the worker loads at start.
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
COPY shared ./shared
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY api ./api
COPY emulator ./emulator
COPY scripts/bundle-workflows.ts ./scripts/
RUN node_modules/.bin/tsx scripts/bundle-workflows.ts

# Writable place for the emulator's state file (a named volume in compose).
RUN mkdir -p /data && chown node:node /data

# The image's unprivileged `node` user (uid 1000); the source stays root-owned, read-only to it.
USER node
EXPOSE 3000 8780 9464
CMD ["node_modules/.bin/tsx", "worker/main.ts"]
