# syntax=docker/dockerfile:1
# kube-broker: bundled JavaScript on Node.js 24, production dependencies only, non-root,
# friendly to a read-only root filesystem (it writes only to the audit spool volume).

# All dependencies, for building (and for the dev OIDC provider docker-compose runs).
FROM node:24-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends openssl && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
COPY tools ./tools
COPY config ./config
RUN npm run build

# Production dependencies only (the server bundle keeps node_modules packages external).
FROM node:24-bookworm-slim AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM gcr.io/distroless/nodejs24-debian12:nonroot
# OCI annotations; the release workflow passes the tag's version and the commit it was built from.
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="kube-broker" \
      org.opencontainers.image.description="Short-lived credential broker and audited gateway for Kubernetes" \
      org.opencontainers.image.source="https://github.com/kube-broker/kube-broker" \
      org.opencontainers.image.url="https://github.com/kube-broker/kube-broker" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
WORKDIR /app
COPY --from=prod-deps /src/package.json ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
EXPOSE 8443
ENV NODE_ENV=production
# HTTPS by default; set KB_HEALTH_URL=http://127.0.0.1:8443/healthz when TLS ends in front.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "const u=process.env.KB_HEALTH_URL||'https://127.0.0.1:8443/healthz';(u.startsWith('https')?require('https'):require('http')).get(u,{rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# V8's young generation grows to 2 x 64 MiB under request load by default; 2 x 16 MiB costs no
# measurable CPU and keeps that much RSS (docs/operations.md, Memory). The benchmarks run the
# broker with the flags given here (test/bench/support/shipped-node-flags.ts).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=16", "dist/kube-broker.js"]
CMD ["serve", "--config", "/etc/kube-broker/config.yaml"]
