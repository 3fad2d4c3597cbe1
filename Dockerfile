# syntax=docker/dockerfile:1
# Build on the full image (python3, make and g++ build better-sqlite3 when no prebuilt binary fits), run on slim.

FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    FEEDBACK_DB=/var/lib/oncosign/feedback.db
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY package.json ./
COPY cards ./cards
COPY discovery ./discovery
COPY terminology ./terminology
RUN mkdir -p /var/lib/oncosign && chown node:node /var/lib/oncosign
USER node
VOLUME ["/var/lib/oncosign"]
EXPOSE 3000
# slim has no curl: Node's own fetch checks liveness.
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself as the command (not npm, which does not pass SIGTERM on); run with --init or an orchestrator's init.
CMD ["node", "dist/server.js"]
