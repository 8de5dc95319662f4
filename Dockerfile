# AssistDesk for Azure Container Apps (infra/). Three stages: production dependencies (better-sqlite3 is a
# native addon built by node-gyp, so that stage has python3, make and g++), the TypeScript build, and the
# runtime image, which gets only the first stage's node_modules and the compiled lib/.
# Node 22 LTS, as package.json's engines ask (restify 11 does not start on Node 24).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# All dependencies, to compile (typescript, the type packages); no install scripts, since tsc needs no
# native addon. Nothing of this stage but lib/ reaches the runtime.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3978 \
    ASSISTDESK_DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the bot's user; only /data is writable (the embedded SQLite store, for a
# local `docker run` with a volume there: in Azure the bot keeps everything in Azure Storage).
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3978
# Liveness only (the process answers): Container Apps ignores HEALTHCHECK and uses the probes in infra/.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The heap capped well above the bot's live heap (about 40 MB): V8 then collects before it grows, and RSS stays
# near 180 MB instead of climbing to 270 (docs/BENCHMARKS.md, "Memory"). Kept equal to `npm start`.
CMD ["node", "--max-old-space-size=192", "lib/index.js"]
