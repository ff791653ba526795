/** Rules: `/rules` CRUD (team-wide, per environment with environment_id, or personal). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { CreateRuleRequestSchema, RuleItemSchema, UpdateRuleRequestSchema } from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { RULE_KIND } from '../../services/rules';
import { configObjectRoutes, registerConfigObjectPaths, type PathHelpers } from './team';

export function rulesRouter(deps: ServiceDeps): Router {
  return configObjectRoutes(deps, {
    base: '/rules',
    listKey: 'rules',
    kind: RULE_KIND,
    createSchema: CreateRuleRequestSchema,
    updateSchema: UpdateRuleRequestSchema,
  });
}

export function registerRulePaths(registry: OpenAPIRegistry, h: PathHelpers): void {
  registerConfigObjectPaths(registry, h, {
    base: '/rules',
    tag: 'rules',
    noun: 'rule',
    listKey: 'rules',
    operation: 'Rule',
    item: RuleItemSchema.meta({ id: 'RuleItem' }),
    create: CreateRuleRequestSchema.meta({ id: 'CreateRuleRequest' }),
    update: UpdateRuleRequestSchema.meta({ id: 'UpdateRuleRequest' }),
  });
}
