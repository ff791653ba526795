/**
 * Create, list, get, update and delete for the config objects that share one shape (rules, MCP servers, variable
 * sets): scoped rows with a name unique per scope. Each kind supplies its columns and item mapping; the checks
 * (visibility, permissions, 404 across teams, 409 on a taken name) and the audit entry are the same for all.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import type { ConfigScope, ListConfigObjectsQuery } from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import { notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import {
  assertMayWriteRow,
  isRecordNotFound,
  isUniqueViolation,
  nameTakenError,
  newObjectScope,
  visibleConfigWhere,
  type ScopedRow,
} from './config-access';

type Client = Db | Prisma.TransactionClient;

/** The part of a Prisma delegate these operations use (the config tables share their scope columns). */
export interface ConfigTable<Row> {
  findFirst(args: { where: object }): Promise<Row | null>;
  findMany(args: { where: object; orderBy?: object[] }): Promise<Row[]>;
  create(args: { data: object }): Promise<Row>;
  update(args: { where: { id: string }; data: object }): Promise<Row>;
  delete(args: { where: { id: string } }): Promise<Row>;
}

export interface ConfigKind<Row extends ScopedRow, Item, CreateRequest, UpdateRequest> {
  /** Plural noun for messages ("rules", "MCP servers"). */
  plural: string;
  /** Singular noun for 404s ("Rule"). */
  singular: string;
  idPrefix: string;
  /** Audit target type and action prefix ("rule" → rule.created). */
  auditType: string;
  table(db: Client): ConfigTable<Row>;
  toItem(row: Row): Item;
  createColumns(request: CreateRequest): Record<string, unknown>;
  updateColumns(request: UpdateRequest): Record<string, unknown>;
  /** Extra checks before writing (e.g. a referenced environment is visible). */
  check?(db: Db, principal: Principal, columns: Record<string, unknown>): Promise<void>;
  /** Extra list filters from the query. */
  listWhere?(query: ListConfigObjectsQuery): object[];
}

type Deps = Pick<ServiceDeps, 'db' | 'logger'>;

export async function findVisibleConfigObject<Row extends ScopedRow>(
  db: Db,
  kind: Pick<ConfigKind<Row, unknown, unknown, unknown>, 'table' | 'singular'>,
  principal: Principal,
  id: string,
): Promise<Row> {
  const row = await kind.table(db).findFirst({ where: { AND: [{ id }, visibleConfigWhere(principal)] } });
  if (!row) throw notFound(kind.singular, id);
  return row;
}

async function nameTaken<Row extends ScopedRow>(
  db: Db,
  kind: ConfigKind<Row, unknown, unknown, unknown>,
  where: { teamId: string; scope: string; ownerKey: string; name: string },
) {
  const existing = await kind.table(db).findFirst({ where });
  return nameTakenError(kind.plural, where.name, where.scope, existing?.id);
}

export async function createConfigObject<
  Row extends ScopedRow & { ownerKey: string },
  Item,
  C extends { name: string; scope?: ConfigScope },
  U,
>(deps: Deps, kind: ConfigKind<Row, Item, C, U>, input: { principal: Principal; request: C }): Promise<Item> {
  const { db, logger } = deps;
  const { principal, request } = input;
  const scope = newObjectScope(principal, request.scope, kind.plural);
  const columns = kind.createColumns(request);
  await kind.check?.(db, principal, columns);
  const data = {
    id: `${kind.idPrefix}_${randomBytes(12).toString('hex')}`,
    teamId: principal.teamId,
    ...scope,
    name: request.name,
    createdByUserId: principal.userId,
    ...columns,
  };
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await kind.table(tx).create({ data });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: `${kind.auditType}.created`,
        targetType: kind.auditType,
        targetId: created.id,
        data: { name: created.name, scope: created.scope },
      });
      return created;
    });
    logger.info({ id: row.id, teamId: principal.teamId, kind: kind.auditType }, 'config object created');
    return kind.toItem(row);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw await nameTaken(db, kind as ConfigKind<Row, unknown, unknown, unknown>, {
        teamId: data.teamId,
        scope: data.scope,
        ownerKey: data.ownerKey,
        name: data.name,
      });
    }
    throw err;
  }
}

export async function listConfigObjects<Row extends ScopedRow, Item>(
  deps: Pick<ServiceDeps, 'db'>,
  kind: ConfigKind<Row, Item, never, never>,
  input: { principal: Principal; query: ListConfigObjectsQuery },
): Promise<Item[]> {
  const { principal, query } = input;
  requirePermission(principal, 'view', `list ${kind.plural}`);
  const where: object[] = [visibleConfigWhere(principal)];
  if (query.name !== undefined) where.push({ name: query.name });
  if (query.scope !== undefined) where.push({ scope: query.scope });
  where.push(...(kind.listWhere?.(query) ?? []));
  const rows = await kind.table(deps.db).findMany({ where: { AND: where }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  return rows.map((r) => kind.toItem(r));
}

export async function getConfigObject<Row extends ScopedRow, Item>(
  deps: Pick<ServiceDeps, 'db'>,
  kind: ConfigKind<Row, Item, never, never>,
  input: { principal: Principal; id: string },
): Promise<Item> {
  return kind.toItem(await findVisibleConfigObject(deps.db, kind, input.principal, input.id));
}

export async function updateConfigObject<
  Row extends ScopedRow & { ownerKey: string },
  Item,
  C,
  U extends { name?: string },
>(
  deps: Deps,
  kind: ConfigKind<Row, Item, C, U>,
  input: { principal: Principal; id: string; request: U },
): Promise<Item> {
  const { db, logger } = deps;
  const { principal, request } = input;
  const row = await findVisibleConfigObject(
    db,
    kind as ConfigKind<Row, unknown, unknown, unknown>,
    principal,
    input.id,
  );
  assertMayWriteRow(principal, row, 'change', kind.plural);
  const columns = kind.updateColumns(request);
  await kind.check?.(db, principal, columns);
  const data = { ...columns, ...(request.name !== undefined ? { name: request.name } : {}), updatedAt: new Date() };
  try {
    const updated = await db.$transaction(async (tx) => {
      const next = await kind.table(tx).update({ where: { id: row.id }, data });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: `${kind.auditType}.updated`,
        targetType: kind.auditType,
        targetId: row.id,
        data: { name: next.name, changed: Object.keys(request) },
      });
      return next;
    });
    logger.info({ id: row.id, teamId: principal.teamId, kind: kind.auditType }, 'config object updated');
    return kind.toItem(updated);
  } catch (err) {
    if (isRecordNotFound(err)) throw notFound(kind.singular, input.id);
    if (isUniqueViolation(err) && request.name !== undefined) {
      throw await nameTaken(db, kind as ConfigKind<Row, unknown, unknown, unknown>, {
        teamId: row.teamId,
        scope: row.scope,
        ownerKey: row.ownerKey,
        name: request.name,
      });
    }
    throw err;
  }
}

export async function deleteConfigObject<Row extends ScopedRow>(
  deps: Deps,
  kind: ConfigKind<Row, unknown, never, never>,
  input: { principal: Principal; id: string },
): Promise<{ success: true }> {
  const { db, logger } = deps;
  const { principal } = input;
  const row = await findVisibleConfigObject(db, kind, principal, input.id);
  assertMayWriteRow(principal, row, 'delete', kind.plural);
  try {
    await db.$transaction(async (tx) => {
      await kind.table(tx).delete({ where: { id: row.id } });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: `${kind.auditType}.deleted`,
        targetType: kind.auditType,
        targetId: row.id,
        data: { name: row.name, scope: row.scope },
      });
    });
  } catch (err) {
    if (isRecordNotFound(err)) throw notFound(kind.singular, input.id);
    throw err;
  }
  logger.info({ id: row.id, teamId: principal.teamId, kind: kind.auditType }, 'config object deleted');
  return { success: true };
}
