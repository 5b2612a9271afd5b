# syntax=docker/dockerfile:1
# invoice-finance-sync: Node.js 24 runs the TypeScript sources directly (type stripping), so there
# is no build stage, only the production dependencies. The same image runs the reference finance
# server (docker-compose.yml, service `finance`: entrypoint node tools/finance-server/main.ts).
#   docker build -t invoice-finance-sync .
#   docker run --rm invoice-finance-sync --help
# Run it with a memory limit (docker run --memory 512m, a pod's limits.memory): Node sizes V8's heap
# from the limit, with no flag (README, "Memory").

FROM node:24-slim AS deps
WORKDIR /app
# Manifests first: this layer is rebuilt only when the dependencies change.
COPY package.json package-lock.json ./
# No production dependency needs an install script (package.json `allowScripts` allows only the
# embedded PostgreSQL, a dev dependency); --ignore-scripts makes that hold whatever npm's version.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the `node` user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json mikro-orm.config.ts ./
COPY bin ./bin
COPY src ./src
COPY schemas ./schemas
COPY migrations ./migrations
COPY tools/finance-server ./tools/finance-server
USER node
EXPOSE 9464
# slim images have no curl: Node's own fetch probes /healthz (the process answers; /readyz is for
# orchestrators that should hold traffic while Kafka, the registry or PostgreSQL are down).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "--eval", "fetch('http://127.0.0.1:9464/healthz', { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/invoice-finance-sync.ts"]
CMD ["start"]
