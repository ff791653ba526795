-- AlterTable
ALTER TABLE "teams" ADD COLUMN     "default_environment_id" TEXT,
ADD COLUMN     "default_worker_host" TEXT,
ADD COLUMN     "max_turns" INTEGER,
ADD COLUMN     "run_timeout_minutes" INTEGER;

-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "var_set_ids" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "secrets" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "owner_user_id" TEXT,
    "owner_key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "ciphertext" BYTEA NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "master_key_id" TEXT NOT NULL,
    "created_by_user_id" TEXT,
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "team_id" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_user_id" TEXT,
    "actor_key_id" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "run_id" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedules" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "owner_user_id" TEXT,
    "created_by_user_id" TEXT,
    "name" TEXT NOT NULL,
    "cron_schedule" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "prompt" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "agent_config" JSONB,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "overlap_policy" TEXT NOT NULL DEFAULT 'skip',
    "catchup_window_seconds" INTEGER NOT NULL DEFAULT 3600,
    "last_spawn_error" TEXT,
    "last_ran_at" TIMESTAMPTZ(3),
    "last_run_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integrations" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "config" JSONB NOT NULL DEFAULT '{}',
    "secret_refs" JSONB NOT NULL DEFAULT '{}',
    "remote_hook_id" TEXT,
    "last_event_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "created_by_user_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integrations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_triggers" (
    "run_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "integration_id" TEXT,
    "delivery_id" TEXT,
    "target" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_triggers_pkey" PRIMARY KEY ("run_id")
);

-- CreateTable
CREATE TABLE "rules" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "owner_user_id" TEXT,
    "owner_key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "environment_id" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by_user_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saved_prompts" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "owner_user_id" TEXT,
    "owner_key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "latest_version" INTEGER NOT NULL DEFAULT 1,
    "created_by_user_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_prompts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saved_prompt_versions" (
    "prompt_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "template" TEXT NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '[]',
    "created_by_user_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_prompt_versions_pkey" PRIMARY KEY ("prompt_id","version")
);

-- CreateTable
CREATE TABLE "mcp_servers" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "owner_user_id" TEXT,
    "owner_key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "spec" JSONB NOT NULL,
    "created_by_user_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mcp_servers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "var_sets" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "owner_user_id" TEXT,
    "owner_key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "vars" JSONB NOT NULL DEFAULT '{}',
    "created_by_user_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "var_sets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "secrets_team_id_name_id_idx" ON "secrets"("team_id", "name", "id");

-- CreateIndex
CREATE INDEX "secrets_owner_user_id_idx" ON "secrets"("owner_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "secrets_team_id_scope_owner_key_name_key" ON "secrets"("team_id", "scope", "owner_key", "name");

-- CreateIndex
CREATE INDEX "audit_events_team_id_id_idx" ON "audit_events"("team_id", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_team_id_action_id_idx" ON "audit_events"("team_id", "action", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_team_id_actor_user_id_id_idx" ON "audit_events"("team_id", "actor_user_id", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_run_id_id_idx" ON "audit_events"("run_id", "id");

-- CreateIndex
CREATE INDEX "audit_events_target_type_target_id_idx" ON "audit_events"("target_type", "target_id");

-- CreateIndex
CREATE INDEX "schedules_team_id_updated_at_id_idx" ON "schedules"("team_id", "updated_at" DESC, "id");

-- CreateIndex
CREATE INDEX "schedules_owner_user_id_idx" ON "schedules"("owner_user_id");

-- CreateIndex
CREATE INDEX "integrations_team_id_updated_at_id_idx" ON "integrations"("team_id", "updated_at" DESC, "id");

-- CreateIndex
CREATE UNIQUE INDEX "integrations_team_id_type_name_key" ON "integrations"("team_id", "type", "name");

-- CreateIndex
CREATE INDEX "run_triggers_integration_id_idx" ON "run_triggers"("integration_id");

-- CreateIndex
CREATE INDEX "rules_team_id_updated_at_id_idx" ON "rules"("team_id", "updated_at" DESC, "id");

-- CreateIndex
CREATE UNIQUE INDEX "rules_team_id_scope_owner_key_name_key" ON "rules"("team_id", "scope", "owner_key", "name");

-- CreateIndex
CREATE INDEX "saved_prompts_team_id_updated_at_id_idx" ON "saved_prompts"("team_id", "updated_at" DESC, "id");

-- CreateIndex
CREATE UNIQUE INDEX "saved_prompts_team_id_scope_owner_key_name_key" ON "saved_prompts"("team_id", "scope", "owner_key", "name");

-- CreateIndex
CREATE INDEX "mcp_servers_team_id_updated_at_id_idx" ON "mcp_servers"("team_id", "updated_at" DESC, "id");

-- CreateIndex
CREATE UNIQUE INDEX "mcp_servers_team_id_scope_owner_key_name_key" ON "mcp_servers"("team_id", "scope", "owner_key", "name");

-- CreateIndex
CREATE INDEX "var_sets_team_id_updated_at_id_idx" ON "var_sets"("team_id", "updated_at" DESC, "id");

-- CreateIndex
CREATE UNIQUE INDEX "var_sets_team_id_scope_owner_key_name_key" ON "var_sets"("team_id", "scope", "owner_key", "name");

-- AddForeignKey
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_triggers" ADD CONSTRAINT "run_triggers_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rules" ADD CONSTRAINT "rules_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rules" ADD CONSTRAINT "rules_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saved_prompts" ADD CONSTRAINT "saved_prompts_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saved_prompts" ADD CONSTRAINT "saved_prompts_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saved_prompt_versions" ADD CONSTRAINT "saved_prompt_versions_prompt_id_fkey" FOREIGN KEY ("prompt_id") REFERENCES "saved_prompts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mcp_servers" ADD CONSTRAINT "mcp_servers_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mcp_servers" ADD CONSTRAINT "mcp_servers_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "var_sets" ADD CONSTRAINT "var_sets_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "var_sets" ADD CONSTRAINT "var_sets_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The audit log is append-only: the database refuses updates, and deletes other than the cascade from a deleted
-- team (a cascaded delete runs inside the foreign key's own trigger, so the depth is greater than one).
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
END;
$$;

CREATE TRIGGER "audit_events_append_only"
BEFORE UPDATE OR DELETE ON "audit_events"
FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();
