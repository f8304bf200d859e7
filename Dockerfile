# One container runs all of Parley: web, workers, and (without DATABASE_URL) embedded PostgreSQL with
# its data under /data. Point DATABASE_URL at your own PostgreSQL 15-18 to run many containers (see
# docker-compose.yml and deploy/helm/parley). .ci/container-test.sh builds and runs this file for real.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
# The built web app, the production dependencies and the server's sources: no tests, no client sources,
# no type declarations, source maps or static libraries; typescript is only @trpc/server's peer (Node
# strips types itself).
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf server/test node_modules/typescript \
  && find server -name '*.test.ts' -delete \
  && find node_modules -type f \( -name '*.a' -o -name '*.d.ts' -o -name '*.d.[cm]ts' -o -name '*.map' -o -name '*.md' \) -delete

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 PARLEY_DATA_DIR=/data
# Embedded PostgreSQL refuses to run as root: the image runs as `parley`, which then also owns the
# PostgreSQL processes and /data (a named volume copies this ownership when first mounted).
RUN groupadd --system --gid 10001 parley \
  && useradd --system --uid 10001 --gid parley --home-dir /app --no-create-home --shell /usr/sbin/nologin parley \
  && mkdir -p /data \
  && chown parley:parley /data \
  && chmod 0700 /data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/server ./server
COPY --from=build /app/sql ./sql
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/dist ./dist
USER parley
VOLUME /data
EXPOSE 3000
# /readyz: the database answers as parley_app and the schema is the one this build expects.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains requests and jobs, then stops PostgreSQL: give it SHUTDOWN_TIMEOUT_MS
# (30 s by default) with `docker stop -t 40`.
STOPSIGNAL SIGTERM
CMD ["node", "server/main.ts", "all"]
