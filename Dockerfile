# One image for every Node service of the lab (reference, harper, micro's six processes, microlith, mono): the same
# lockfile, the same Node as natively. Multi-stage: build with dev dependencies, ship without them.
# Base pinned by tag to the Node release the native runs use (see docs/architecture.md).
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
# Native modules without prebuilt binaries (Harper's cbor-extract) compile with node-gyp.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
COPY implementations/contract/package.json implementations/contract/
COPY implementations/reference/package.json implementations/reference/
COPY implementations/harper/package.json implementations/harper/
COPY implementations/micro/package.json implementations/micro/
COPY implementations/microlith/package.json implementations/microlith/
COPY implementations/mono/package.json implementations/mono/
COPY implementations/web/package.json implementations/web/
COPY runner/package.json runner/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# Non-root: every service listens on unprivileged ports.
USER node
CMD ["node", "implementations/reference/dist/src/main.js"]
