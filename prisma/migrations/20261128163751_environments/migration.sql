-- CreateTable
CREATE TABLE "environments" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "owner_user_id" TEXT,
    "owner_key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "docker_image" TEXT NOT NULL,
    "repositories" JSONB NOT NULL DEFAULT '[]',
    "setup_commands" TEXT[],
    "env" JSONB NOT NULL DEFAULT '{}',
    "setup_failed" BOOLEAN NOT NULL DEFAULT false,
    "created_by_user_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "environments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "environments_team_id_updated_at_id_idx" ON "environments"("team_id", "updated_at" DESC, "id");

-- CreateIndex
CREATE INDEX "environments_team_id_name_id_idx" ON "environments"("team_id", "name", "id");

-- CreateIndex
CREATE INDEX "environments_owner_user_id_idx" ON "environments"("owner_user_id");

-- CreateIndex
CREATE INDEX "environments_created_by_user_id_idx" ON "environments"("created_by_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "environments_team_id_scope_owner_key_name_key" ON "environments"("team_id", "scope", "owner_key", "name");

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_created_by_user_id_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
