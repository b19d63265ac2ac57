// Prisma CLI configuration (Prisma 7 reads the datasource URL from here, not from schema.prisma).
// Used by `npm run generate` (offline, see prisma/no-schema-engine.sh) and, on a machine with internet access,
// by `npx prisma migrate deploy`. The app itself never reads this file.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgresql://lab:lab@127.0.0.1:5433/lab' },
});
