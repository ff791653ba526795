/**
 * Saved prompts: named templates with declared parameters, versioned. Creating one makes version 1; an update that
 * changes the template or the parameters adds a version (earlier ones stay readable and usable by number); a
 * rename or a new description changes the prompt in place.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import {
  PromptParameterSchema,
  undeclaredPlaceholders,
  type CreatePromptRequest,
  type ListConfigObjectsQuery,
  type PromptItem,
  type PromptParameter,
  type UpdatePromptRequest,
} from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import { AppError, notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import {
  assertMayWriteRow,
  isUniqueViolation,
  nameTakenError,
  newObjectScope,
  scopeItemOf,
  visibleConfigWhere,
} from '../team/config-access';

const WITH_VERSIONS = { versions: { orderBy: { version: 'desc' } } } as const satisfies Prisma.SavedPromptInclude;
type PromptRow = Prisma.SavedPromptGetPayload<{ include: typeof WITH_VERSIONS }>;
type VersionRow = PromptRow['versions'][number];

export function storedParameters(json: unknown): PromptParameter[] {
  const parsed = PromptParameterSchema.array().safeParse(json);
  return parsed.success ? parsed.data : [];
}

function toPromptItem(row: PromptRow, version: VersionRow): PromptItem {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    latest_version: row.latestVersion,
    version: {
      version: version.version,
      template: version.template,
      parameters: storedParameters(version.parameters),
      created_at: version.createdAt.toISOString(),
    },
    scope: scopeItemOf(row),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function checkTemplate(template: string, parameters: readonly PromptParameter[]): void {
  const names = parameters.map((p) => p.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new AppError('invalid_request', `parameters: ${twice.join(', ')} declared twice`);
  const undeclared = undeclaredPlaceholders(template, parameters);
  if (undeclared.length > 0) {
    throw new AppError(
      'invalid_request',
      `template: placeholder${undeclared.length > 1 ? 's' : ''} ${undeclared.map((n) => `{{${n}}}`).join(', ')} ` +
        `${undeclared.length > 1 ? 'are' : 'is'} not declared in parameters; declare ${undeclared.length > 1 ? 'them' : 'it'}, e.g. ` +
        `"parameters": [{"name": "${undeclared[0]}"}]`,
    );
  }
}

async function findVisiblePrompt(db: Db, principal: Principal, id: string): Promise<PromptRow> {
  const row = await db.savedPrompt.findFirst({
    where: { AND: [{ id }, visibleConfigWhere(principal)] },
    include: WITH_VERSIONS,
  });
  if (!row) throw notFound('Saved prompt', id);
  return row;
}

function versionOf(row: PromptRow, version: number | undefined): VersionRow {
  const wanted = version ?? row.latestVersion;
  const found = row.versions.find((v) => v.version === wanted);
  if (!found) {
    throw new AppError(
      'resource_not_found',
      `version: saved prompt ${row.name} has versions 1 to ${row.latestVersion}; there is no version ${wanted}`,
    );
  }
  return found;
}

export async function createPrompt(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; request: CreatePromptRequest },
): Promise<PromptItem> {
  const { db, logger } = deps;
  const { principal, request } = input;
  const scope = newObjectScope(principal, request.scope, 'saved prompts');
  const parameters = request.parameters ?? [];
  checkTemplate(request.template, parameters);
  const id = `prm_${randomBytes(12).toString('hex')}`;
  try {
    const row = await db.$transaction(async (tx) => {
      await tx.savedPrompt.create({
        data: {
          id,
          teamId: principal.teamId,
          ...scope,
          name: request.name,
          description: request.description ?? null,
          latestVersion: 1,
          createdByUserId: principal.userId,
          versions: {
            create: {
              version: 1,
              template: request.template,
              parameters: parameters,
              createdByUserId: principal.userId,
            },
          },
        },
      });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: 'saved_prompt.created',
        targetType: 'saved_prompt',
        targetId: id,
        data: { name: request.name, scope: scope.scope, version: 1 },
      });
      return tx.savedPrompt.findUniqueOrThrow({ where: { id }, include: WITH_VERSIONS });
    });
    logger.info({ promptId: id, teamId: principal.teamId }, 'saved prompt created');
    return toPromptItem(row, versionOf(row, 1));
  } catch (err) {
    if (isUniqueViolation(err)) {
      const existing = await db.savedPrompt.findFirst({
        where: { teamId: principal.teamId, scope: scope.scope, ownerKey: scope.ownerKey, name: request.name },
        select: { id: true },
      });
      throw nameTakenError('saved prompts', request.name, scope.scope, existing?.id);
    }
    throw err;
  }
}

export async function listPrompts(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; query: ListConfigObjectsQuery },
): Promise<PromptItem[]> {
  const { principal, query } = input;
  requirePermission(principal, 'view', 'list saved prompts');
  const where: Prisma.SavedPromptWhereInput[] = [visibleConfigWhere(principal)];
  if (query.name !== undefined) where.push({ name: query.name });
  if (query.scope !== undefined) where.push({ scope: query.scope });
  const rows = await deps.db.savedPrompt.findMany({
    where: { AND: where },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  return rows.map((r) => toPromptItem(r, versionOf(r, undefined)));
}

export async function getPrompt(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; id: string; version?: number },
): Promise<PromptItem> {
  requirePermission(input.principal, 'view', 'read saved prompts');
  const row = await findVisiblePrompt(deps.db, input.principal, input.id);
  return toPromptItem(row, versionOf(row, input.version));
}

export async function updatePrompt(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; id: string; request: UpdatePromptRequest },
): Promise<PromptItem> {
  const { db, logger } = deps;
  const { principal, request } = input;
  const row = await findVisiblePrompt(db, principal, input.id);
  assertMayWriteRow(principal, row, 'change', 'saved prompts');
  const latest = versionOf(row, undefined);
  const changesTemplate = request.template !== undefined || request.parameters !== undefined;
  const template = request.template ?? latest.template;
  const parameters = request.parameters ?? storedParameters(latest.parameters);
  if (changesTemplate) checkTemplate(template, parameters);
  const nextVersion = changesTemplate ? row.latestVersion + 1 : row.latestVersion;
  try {
    const updated = await db.$transaction(async (tx) => {
      if (changesTemplate) {
        await tx.savedPromptVersion.create({
          data: {
            promptId: row.id,
            version: nextVersion,
            template,
            parameters: parameters,
            createdByUserId: principal.userId,
          },
        });
      }
      await tx.savedPrompt.update({
        where: { id: row.id },
        data: {
          latestVersion: nextVersion,
          ...(request.name !== undefined ? { name: request.name } : {}),
          ...(request.description !== undefined ? { description: request.description } : {}),
          updatedAt: new Date(),
        },
      });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: 'saved_prompt.updated',
        targetType: 'saved_prompt',
        targetId: row.id,
        data: { name: request.name ?? row.name, version: nextVersion, changed: Object.keys(request) },
      });
      return tx.savedPrompt.findUniqueOrThrow({ where: { id: row.id }, include: WITH_VERSIONS });
    });
    logger.info({ promptId: row.id, version: nextVersion }, 'saved prompt updated');
    return toPromptItem(updated, versionOf(updated, undefined));
  } catch (err) {
    if (isUniqueViolation(err) && request.name !== undefined) {
      throw nameTakenError('saved prompts', request.name, row.scope);
    }
    throw err;
  }
}

export async function deletePrompt(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; id: string },
): Promise<{ success: true }> {
  const { db, logger } = deps;
  const { principal } = input;
  const row = await findVisiblePrompt(db, principal, input.id);
  assertMayWriteRow(principal, row, 'delete', 'saved prompts');
  await db.$transaction(async (tx) => {
    await tx.savedPrompt.delete({ where: { id: row.id } });
    await recordAudit(tx, {
      teamId: principal.teamId,
      principal,
      action: 'saved_prompt.deleted',
      targetType: 'saved_prompt',
      targetId: row.id,
      data: { name: row.name, scope: row.scope },
    });
  });
  logger.info({ promptId: row.id }, 'saved prompt deleted');
  return { success: true };
}
