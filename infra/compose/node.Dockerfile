# The pipeline services for docker-compose.yml: one image, the build (`npm run build`) run by plain
# node with production dependencies only; `command` picks the service
# (`node services/<svc>/dist/main.js`), the default runs all four (`wire start`).

# 1. Build: every dependency (esbuild among them), then JavaScript into each workspace's dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && find packages services infra -path '*/node_modules' -prune -o -type d -name dist -print | tar -cf /dist.tar -T -

# 2. Run: production dependencies and the build; no TypeScript, tsx or test tools.
FROM node:20-bookworm-slim
WORKDIR /app
# BIND_HOST: the services listen on the container's interfaces; compose publishes the ports on the
# host's 127.0.0.1 only.
ENV NODE_ENV=production BIND_HOST=0.0.0.0
COPY . .
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /dist.tar /tmp/dist.tar
RUN tar -xf /tmp/dist.tar && rm /tmp/dist.tar
USER node
CMD ["node", "packages/cli/dist/main.js", "start"]
