-- CreateTable
CREATE TABLE "teams" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "default_model_id" TEXT,
    "base_prompt" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT,
    "display_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "team_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("team_id","user_id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "user_id" TEXT,
    "scope" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "creator_user_id" TEXT,
    "creator_type" TEXT NOT NULL,
    "scope_type" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "status_message" JSONB,
    "source" TEXT NOT NULL,
    "execution_location" TEXT NOT NULL,
    "request_config" JSONB NOT NULL,
    "agent_config" JSONB,
    "config_name" TEXT,
    "model_id" TEXT,
    "environment_id" TEXT,
    "schedule_id" TEXT,
    "schedule" JSONB,
    "parent_run_id" TEXT,
    "ancestor_run_ids" TEXT[],
    "conversation_id" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "trigger_url" TEXT,
    "artifact_types" TEXT[],
    "tool_definitions" JSONB,
    "last_turn" INTEGER NOT NULL DEFAULT 0,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "execution" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_events" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_messages" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "turn" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_calls" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "turn" INTEGER NOT NULL,
    "model_id" TEXT NOT NULL,
    "finish_reason" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "tool_call_ids" TEXT[],
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_calls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tool_calls" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "turn" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "state" TEXT NOT NULL,
    "output" JSONB,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tool_calls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifacts" (
    "uid" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "artifact_type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "content" TEXT,
    "size_bytes" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("uid")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "memberships"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_team_id_idx" ON "api_keys"("team_id");

-- CreateIndex
CREATE INDEX "runs_team_id_updated_at_id_idx" ON "runs"("team_id", "updated_at" DESC, "id");

-- CreateIndex
CREATE INDEX "runs_team_id_created_at_id_idx" ON "runs"("team_id", "created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "runs_team_id_title_id_idx" ON "runs"("team_id", "title", "id");

-- CreateIndex
CREATE INDEX "runs_team_id_config_name_id_idx" ON "runs"("team_id", "config_name", "id");

-- CreateIndex
CREATE INDEX "runs_team_id_state_idx" ON "runs"("team_id", "state");

-- CreateIndex
CREATE INDEX "runs_team_id_model_id_idx" ON "runs"("team_id", "model_id");

-- CreateIndex
CREATE INDEX "runs_team_id_creator_user_id_idx" ON "runs"("team_id", "creator_user_id");

-- CreateIndex
CREATE INDEX "runs_team_id_source_idx" ON "runs"("team_id", "source");

-- CreateIndex
CREATE INDEX "runs_team_id_execution_location_idx" ON "runs"("team_id", "execution_location");

-- CreateIndex
CREATE INDEX "runs_team_id_environment_id_idx" ON "runs"("team_id", "environment_id");

-- CreateIndex
CREATE INDEX "runs_team_id_schedule_id_idx" ON "runs"("team_id", "schedule_id");

-- CreateIndex
CREATE INDEX "runs_parent_run_id_idx" ON "runs"("parent_run_id");

-- CreateIndex
CREATE INDEX "runs_ancestor_run_ids_idx" ON "runs" USING GIN ("ancestor_run_ids");

-- CreateIndex
CREATE INDEX "runs_artifact_types_idx" ON "runs" USING GIN ("artifact_types");

-- CreateIndex
CREATE INDEX "runs_metadata_idx" ON "runs" USING GIN ("metadata" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "run_events_run_id_id_idx" ON "run_events"("run_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "run_events_run_id_key_key" ON "run_events"("run_id", "key");

-- CreateIndex
CREATE INDEX "run_messages_run_id_seq_idx" ON "run_messages"("run_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "run_messages_run_id_key_key" ON "run_messages"("run_id", "key");

-- CreateIndex
CREATE INDEX "model_calls_run_id_turn_idx" ON "model_calls"("run_id", "turn");

-- CreateIndex
CREATE INDEX "tool_calls_run_id_turn_idx" ON "tool_calls"("run_id", "turn");

-- CreateIndex
CREATE INDEX "artifacts_run_id_idx" ON "artifacts"("run_id");

-- CreateIndex
CREATE INDEX "artifacts_artifact_type_idx" ON "artifacts"("artifact_type");

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_creator_user_id_fkey" FOREIGN KEY ("creator_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_events" ADD CONSTRAINT "run_events_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_messages" ADD CONSTRAINT "run_messages_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_calls" ADD CONSTRAINT "model_calls_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_calls" ADD CONSTRAINT "tool_calls_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
