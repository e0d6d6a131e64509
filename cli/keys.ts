/** `parley keys create|list|revoke`: API keys of the /v1 missions plane, in the configured database. */
import { parseArgs } from 'node:util';
import { createApiKey } from '../infra/api-keys';
import { loadConfig } from '../infra/config';
import { createDb, prepareDb } from '../infra/db';
import { applyMigrations } from '../prisma/migrate';
import type { CliIo, Subcommand } from './subcommand';

async function withDb<T>(io: CliIo, run: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const open = async () => {
    const db = createDb(config.databaseUrl);
    await prepareDb(db, config.databaseUrl);
    return db;
  };
  let db = await open();
  try {
    return await run(db);
  } catch (err) {
    // A fresh data directory (no `npm start` yet) has no tables: migrate, then try once more.
    if (!/does not exist|no such table|P2021/i.test(String((err as Error)?.message ?? err))) throw err;
    await db.$disconnect();
    await applyMigrations(config.databaseUrl);
    db = await open();
    return await run(db);
  } finally {
    await db.$disconnect();
  }
}

export const keys: Subcommand = {
  summary: 'create, list or revoke API keys of the /v1 missions API',
  usage: [
    'parley keys create --name <name> [--admin] [--test]',
    'parley keys list',
    'parley keys revoke <prefix>',
    '',
    'create prints the new key once, alone on its last line; only its SHA-256 and prefix are stored.',
    '  --admin  may decide require_biometric approvals',
    '  --test   a prl_test_ key, limited to simulated lines',
    'The database is the configured one (DATABASE_URL / PARLEY_DATA_DIR).',
  ].join('\n'),
  async run(args, io) {
    const [action, ...rest] = args;
    if (action === 'create') {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, admin: { type: 'boolean' }, test: { type: 'boolean' } }, strict: true });
      if (!values.name) {
        io.err('parley keys create: --name <name> is required');
        return 2;
      }
      const created = await withDb(io, (db) => createApiKey(db, { name: values.name!, admin: values.admin, test: values.test }));
      io.out(`Created key "${values.name}" (prefix ${created.prefix}${values.admin ? ', admin' : ''}). It is shown only this once:`);
      io.out(created.key);
      return 0;
    }
    if (action === 'list') {
      const rows = await withDb(io, (db) => db.apiKey.findMany({ orderBy: { createdAt: 'asc' } }));
      for (const k of rows) io.out(`${k.prefix}  ${k.name}  ${k.scope}  ${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}  created ${k.createdAt.toISOString()}`);
      if (rows.length === 0) io.out('no keys');
      return 0;
    }
    if (action === 'revoke' && rest[0]) {
      const prefix = rest[0].replace(/^prl_(live|test)_/, '').slice(0, 8);
      const done = await withDb(io, (db) => db.apiKey.updateMany({ where: { prefix, revokedAt: null }, data: { revokedAt: new Date() } }));
      if (done.count === 0) {
        io.err(`no active key with prefix ${prefix}`);
        return 1;
      }
      io.out(`revoked ${done.count} key(s) with prefix ${prefix}`);
      return 0;
    }
    io.err(this.usage);
    return 2;
  },
};
