# The pipeline services for docker-compose.yml: one image, `npx tsx services/<svc>/src/main.ts`
# chosen per service by its `command`. TypeScript runs through tsx; there is no build step.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
COPY . .
RUN npm ci --no-audit --no-fund
USER node
CMD ["npx", "tsx", "services/ops/src/main.ts"]
