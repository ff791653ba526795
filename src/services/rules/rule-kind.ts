/** Rules: named text blocks added to the instructions of every run of the team, or of runs in one environment. */
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import type { CreateRuleRequest, RuleItem, UpdateRuleRequest } from '../../domain';
import type { Rule } from '../../generated/prisma/client';
import { findVisibleEnvironment } from '../environments/environment-access';
import { scopeItemOf } from '../team/config-access';
import type { ConfigKind } from '../team/config-object-store';

export function toRuleItem(row: Rule): RuleItem {
  return {
    id: row.id,
    name: row.name,
    content: row.content,
    environment_id: row.environmentId,
    enabled: row.enabled,
    scope: scopeItemOf(row),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export const RULE_KIND: ConfigKind<Rule, RuleItem, CreateRuleRequest, UpdateRuleRequest> = {
  plural: 'rules',
  singular: 'Rule',
  idPrefix: 'rule',
  auditType: 'rule',
  table: (db) => db.rule,
  toItem: toRuleItem,
  createColumns: (r) => ({
    content: r.content,
    environmentId: r.environment_id ?? null,
    enabled: r.enabled ?? true,
  }),
  updateColumns: (r) => ({
    ...(r.content !== undefined ? { content: r.content } : {}),
    ...(r.environment_id !== undefined ? { environmentId: r.environment_id } : {}),
    ...(r.enabled !== undefined ? { enabled: r.enabled } : {}),
  }),
  async check(db: Db, principal: Principal, columns) {
    const environmentId = columns['environmentId'];
    if (typeof environmentId === 'string') await findVisibleEnvironment(db, principal, environmentId, 'environment_id');
  },
  listWhere: (q) => (q.environment_id !== undefined ? [{ environmentId: q.environment_id }] : []),
};
