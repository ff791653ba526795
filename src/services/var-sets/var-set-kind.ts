/** Variable sets: named non-secret variables, applied to runs through environments (var_set_ids) or config.var_sets. */
import {
  EnvironmentVariablesSchema,
  type CreateVarSetRequest,
  type UpdateVarSetRequest,
  type VarSetItem,
} from '../../domain';
import type { VarSet } from '../../generated/prisma/client';
import { scopeItemOf } from '../team/config-access';
import type { ConfigKind } from '../team/config-object-store';

export function toVarSetItem(row: VarSet): VarSetItem {
  const vars = EnvironmentVariablesSchema.safeParse(row.vars);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    vars: vars.success ? vars.data : {},
    scope: scopeItemOf(row),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export const VAR_SET_KIND: ConfigKind<VarSet, VarSetItem, CreateVarSetRequest, UpdateVarSetRequest> = {
  plural: 'variable sets',
  singular: 'Variable set',
  idPrefix: 'vars',
  auditType: 'var_set',
  table: (db) => db.varSet,
  toItem: toVarSetItem,
  createColumns: (r) => ({ vars: r.vars, description: r.description ?? null }),
  updateColumns: (r) => ({
    ...(r.vars !== undefined ? { vars: r.vars } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
  }),
};
