/**
 * Prisma's own schema engine, compiled to WebAssembly (@prisma/schema-engine-wasm), driven
 * through a driver adapter. It needs no downloaded engine binary, so migrations apply offline;
 * it writes the same `_prisma_migrations` table `prisma migrate deploy` reads and writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { isPostgresUrl } from '../infra/config';

// The package's entry imports the .wasm as an ES module (a bundler convention Node lacks),
// so we instantiate the bindings ourselves.
type Bindings = typeof import('@prisma/schema-engine-wasm');
export type SchemaEngine = Awaited<ReturnType<Bindings['SchemaEngine']['new']>>;

// Node has WebAssembly; the ES2022 lib typings do not describe it.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

let bindings: Promise<Bindings> | undefined;

function loadBindings(): Promise<Bindings> {
  bindings ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS file deep in the package, loaded lazily
    const bg = require('@prisma/schema-engine-wasm/schema_engine_bg') as Bindings & {
      __wbg_set_wasm(exports: unknown): void;
    };
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return bindings;
}

export type Provider = 'sqlite' | 'postgresql';

export const PRISMA_DIR = __dirname;
export const SCHEMA_FILES: Record<Provider, string> = {
  sqlite: path.join(PRISMA_DIR, 'schema.prisma'),
  postgresql: path.join(PRISMA_DIR, 'postgresql', 'schema.prisma'),
};
export const MIGRATIONS_DIRS: Record<Provider, string> = {
  sqlite: path.join(PRISMA_DIR, 'migrations', 'sqlite'),
  postgresql: path.join(PRISMA_DIR, 'migrations', 'postgresql'),
};

export function providerOf(databaseUrl: string): Provider {
  return isPostgresUrl(databaseUrl) ? 'postgresql' : 'sqlite';
}

/** A migration-aware driver adapter factory for the URL (SQLite file or PostgreSQL). */
export function adapterFactoryFor(databaseUrl: string) {
  if (isPostgresUrl(databaseUrl)) return new PrismaPg({ connectionString: databaseUrl });
  const file = databaseUrl.replace(/^file:/, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return new PrismaBetterSqlite3({ url: file, timeout: 10_000 });
}

export interface OpenEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes its connections: SQLite stays locked (EXCLUSIVE) until then. */
  close(): Promise<void>;
}

export async function openSchemaEngine(databaseUrl: string, schema?: string): Promise<OpenEngine> {
  const { SchemaEngine } = await loadBindings();
  const provider = providerOf(databaseUrl);
  const datamodel = schema ?? fs.readFileSync(SCHEMA_FILES[provider], 'utf8');
  const factory = adapterFactoryFor(databaseUrl);
  const opened: Array<{ dispose(): Promise<void> }> = [];
  const tracked = Object.assign(Object.create(Object.getPrototypeOf(factory)), factory, {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => track(await factory.connect()),
    connectToShadowDb: async () => track(await factory.connectToShadowDb()),
  });
  function track<T extends { dispose(): Promise<void> }>(adapter: T): T {
    opened.push(adapter);
    return adapter;
  }
  const engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', datamodel]] },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(opened.splice(0).map((a) => a.dispose()));
    },
  };
}
