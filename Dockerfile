# syntax=docker/dockerfile:1
# Multi-stage image: compile TypeScript and native addons (better-sqlite3) in a build stage, ship only the
# compiled output and production dependencies, run as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 12.x compiles from source (its prebuilt binaries do not match every Node 20 build).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    PANGOLIN_DATA_DIR=/var/lib/pangolin
WORKDIR /app
RUN groupadd --system --gid 10001 pangolin \
 && useradd --system --uid 10001 --gid pangolin --home-dir /app --shell /usr/sbin/nologin pangolin \
 && mkdir -p /var/lib/pangolin && chown pangolin:pangolin /var/lib/pangolin
COPY --from=build --chown=pangolin:pangolin /app/node_modules ./node_modules
COPY --from=build --chown=pangolin:pangolin /app/dist ./dist
COPY --from=build --chown=pangolin:pangolin /app/package.json ./package.json
USER 10001:10001
EXPOSE 8080
VOLUME ["/var/lib/pangolin"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# exec form: node is PID 1's child-free process and receives SIGTERM directly for graceful shutdown.
CMD ["node", "dist/src/main.js"]
