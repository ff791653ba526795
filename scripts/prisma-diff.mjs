// The SQL that turns one Prisma schema into another, from Prisma's own schema engine (WebAssembly build), for
// machines where the native engine cannot be downloaded (see src/db/README.md). Needs a reachable PostgreSQL
// (DATABASE_URL, only to build the adapter; nothing is changed there).
//
//   npm pack @prisma/schema-engine-wasm@<version @prisma/internals pins> && tar xzf prisma-schema-engine-wasm-*.tgz
//   git show HEAD:prisma/schema.prisma > /tmp/old.prisma
//   SCHEMA_ENGINE_WASM=$PWD/package node --experimental-wasm-modules scripts/prisma-diff.mjs /tmp/old.prisma \
//     prisma/schema.prisma > prisma/migrations/<yyyymmddhhmmss>_<name>/migration.sql
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(path.join(process.cwd(), 'package.json'));
const engineDir = process.env.SCHEMA_ENGINE_WASM;
if (!engineDir) throw new Error('set SCHEMA_ENGINE_WASM to the unpacked @prisma/schema-engine-wasm package directory');
const { SchemaEngine } = await import(path.join(engineDir, 'schema_engine.js'));
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
const { PrismaPg } = require('@prisma/adapter-pg');
const [oldPath, newPath] = process.argv.slice(2);
const file = (p) => [{ path: 'schema.prisma', content: fs.readFileSync(p, 'utf8') }];
const engine = await SchemaEngine.new(
  { datamodels: [['schema.prisma', fs.readFileSync(newPath, 'utf8')]] },
  () => {},
  bindMigrationAwareSqlAdapterFactory(
    new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres',
    }),
  ),
);
const out = await engine.diff({
  from: { tag: 'schemaDatamodel', files: file(oldPath) },
  to: { tag: 'schemaDatamodel', files: file(newPath) },
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
});
process.stdout.write(out.stdout ?? JSON.stringify(out));
