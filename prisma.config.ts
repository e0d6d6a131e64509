// Used by the Prisma CLI on connected machines (`npx prisma migrate deploy`, `prisma studio`).
// Parley itself applies the same migrations offline with the WASM schema engine (prisma/migrate.ts).
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL || 'file:.parley/parley.db';
const provider = /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: provider === 'postgresql' ? 'prisma/postgresql/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: `prisma/migrations/${provider}` },
  datasource: { url },
});
