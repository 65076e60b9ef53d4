# Placeholder: the production image (multi-stage, Node 24, non-root, read-only root
# filesystem, HEALTHCHECK) is delivered by the "Ship it" issue.
FROM node:24-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY src ./src
USER node
ENTRYPOINT ["node", "src/main.ts"]
CMD ["serve", "--config", "/etc/kube-broker/config.yaml"]
