# syntax=docker/dockerfile:1
# Ambit API and worker image. One image, two commands (see docker-compose.temporal.yml):
#   API:    node dist/workers/api.js
#   worker: node dist/workers/main.js
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true
# The postinstall hook generates the Prisma client, so the schema and generator script come before `npm ci`.
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
# Offline generation (no Prisma engine download), then the TypeScript build into dist/.
RUN npm run db:generate && npm run build
# Only runtime dependencies go to the final image.
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    AMBIT_HOST=0.0.0.0 \
    PORT=3000 \
    AMBIT_DATA_DIR=/var/lib/ambit
RUN groupadd --system --gid 10001 ambit \
 && useradd --system --uid 10001 --gid ambit --home-dir /app --shell /usr/sbin/nologin ambit \
 && mkdir -p /var/lib/ambit \
 && chown ambit:ambit /var/lib/ambit
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Applied at start-up by the migrator, which finds prisma/migrations by walking up from dist/.
COPY --from=build /app/prisma ./prisma
USER ambit
EXPOSE 3000
# No image-level HEALTHCHECK: the worker serves no HTTP. docker-compose.temporal.yml checks the API's /api/v1/health.
CMD ["node", "dist/workers/api.js"]
