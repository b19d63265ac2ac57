#!/bin/sh
# Stand-in for Prisma's native schema-engine, which cannot be downloaded on the lab's offline machines.
# `prisma generate` never runs the schema engine (it uses bundled WASM), but the CLI insists on a binary path:
# PRISMA_SCHEMA_ENGINE_BINARY points here (see package.json "generate"). Anything that really needs the engine
# (migrate dev/deploy, db push) fails loudly instead of silently doing nothing. See docs/implementations/mono.md.
echo "prisma: the native schema-engine is not available on this machine (stub $0)." >&2
echo "Migrations are applied by the app itself (src/db/migrate.ts); with internet, use npx prisma migrate deploy." >&2
exit 1
