# roomgate serve in a container: `docker build -t roomgate .`, then see compose.yaml.
# The base image is an argument so a mirror or a pinned digest can be used.
ARG NODE_IMAGE=node:22-bookworm-slim
# pg is an optional peer of roomgate: the image keeps rooms in PostgreSQL, so it installs it.
ARG PG_VERSION=8.23.1

# --- build: every dependency (tsup, typescript), then the package as npm would publish it
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: nothing of the build needs a native module (better-sqlite3 is for the tests).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsup.config.ts README.md CHANGELOG.md ./
COPY src ./src
RUN npm run build && npm pack --pack-destination /tmp && mv /tmp/roomgate-*.tgz /tmp/roomgate.tgz

# --- runtime: the packed roomgate with its production dependencies and pg, nothing else
FROM ${NODE_IMAGE} AS runtime
ARG PG_VERSION
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
COPY --from=build /tmp/roomgate.tgz /tmp/roomgate.tgz
RUN echo '{"name":"roomgate-server","private":true}' > package.json \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund /tmp/roomgate.tgz "pg@${PG_VERSION}" \
 && rm /tmp/roomgate.tgz && npm cache clean --force
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/roomgate-entrypoint
# The node image's unprivileged user: the server needs no root (it binds 8787, not a port below 1024).
USER node
ENV ROOMGATE_HOST=0.0.0.0 \
    ROOMGATE_PORT=8787
EXPOSE 8787
# /healthz: the process answers (no secret needed, nothing internal in the answer). /readyz adds the database.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.ROOMGATE_PORT||8787}/healthz`).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["roomgate-entrypoint"]
CMD ["serve"]
