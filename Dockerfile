# Multi-stage image: compile TypeScript and the native addon (better-sqlite3) in a build stage; the runtime
# image holds Node, tini, the compiled output and the production dependencies, owned by root and run as uid
# 10001. The build needs only the npm registry and the Debian mirror (no Node.js download site).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 12.x compiles from source; node-gyp uses the Node headers the base image ships instead of
# downloading them (and its prebuilt-binary download is not needed either).
ENV npm_config_nodedir=/usr/local
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
# Production dependencies only. typescript stays after the prune as an optional peer of @nestjs/swagger that
# only its compiler plugin uses; better-sqlite3 needs nothing of its build but the addon itself.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/typescript \
 && find node_modules/better-sqlite3/build -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} + \
 && find node_modules/better-sqlite3/build/Release -mindepth 1 -maxdepth 1 ! -name better_sqlite3.node -exec rm -rf {} + \
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src
# Nothing Node reads at run time: source maps, type declarations, documentation, typeorm's browser build.
RUN find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -iname '*.md' \) -delete \
 && rm -rf node_modules/typeorm/browser
# Marks the stages' leftover images so the smoke test can prune exactly those (about 1 GB).
LABEL org.pangolin.stage=build

# The base without what only builds need (npm, corepack, Node headers, npm's machine-local config), plus
# tini and the runtime user. Flattened into one layer below, so the removed files take no space.
FROM node:20-bookworm-slim AS runtime-base
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules /usr/local/include/node /usr/local/etc/npmrc \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /root/.npm /tmp/* \
 && groupadd --system --gid 10001 pangolin \
 && useradd --system --uid 10001 --gid pangolin --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pangolin \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/pangolin
LABEL org.pangolin.stage=runtime-base

FROM scratch AS runtime
COPY --from=runtime-base / /
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="pangolin-ts" \
      org.opencontainers.image.description="Apache Iceberg REST catalog with Git-like branching, multi-tenancy and four metadata backends" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="node:20-bookworm-slim"
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production \
    PORT=8080 \
    PANGOLIN_DATA_DIR=/var/lib/pangolin
WORKDIR /app
# Owned by root, read-only to the runtime user: the process cannot rewrite its own code.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
USER 10001:10001
EXPOSE 8080
# No VOLUME: it would create a new anonymous volume on every `docker run` without -v. Mount a named volume
# or a directory owned by 10001 at /var/lib/pangolin (see README, Deployment).
# The probe is one bash process (builtins only), not a whole Node.js start-up every interval.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-8080} && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 2 status <&3 && [[ $status == HTTP/1.?' 200 '* ]]"]
# tini is PID 1: it forwards SIGTERM to node and reaps children. A SIGTERM that arrives before the application
# has installed its shutdown hooks ends node by the signal (143); -e 143 reports that as a clean exit.
ENTRYPOINT ["/usr/bin/tini", "-e", "143", "--"]
# node directly, never `npm start`/`npm run`: npm does not forward signals (and is not in the image).
CMD ["node", "dist/src/main.js"]
