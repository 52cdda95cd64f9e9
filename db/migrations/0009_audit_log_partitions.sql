CREATE TABLE "manifest_pull_stats" (
	"repository_id" integer NOT NULL,
	"manifest_digest" text NOT NULL,
	"pull_count" bigint NOT NULL,
	"last_pulled_at" timestamp with time zone NOT NULL,
	CONSTRAINT "manifest_pull_stats_repository_id_manifest_digest_pk" PRIMARY KEY("repository_id","manifest_digest")
);
--> statement-breakpoint
CREATE TABLE "tag_pull_stats" (
	"repository_id" integer NOT NULL,
	"tag" text NOT NULL,
	"pull_count" bigint NOT NULL,
	"last_pulled_at" timestamp with time zone NOT NULL,
	"manifest_digest" text NOT NULL,
	CONSTRAINT "tag_pull_stats_repository_id_tag_pk" PRIMARY KEY("repository_id","tag")
);
--> statement-breakpoint
-- audit_log becomes a table partitioned by month on created_at (drizzle cannot express this, so
-- the table is rebuilt by hand): retention drops a month at a time, and the per-namespace /
-- per-repository indexes stay per month. The default partition catches rows for a month whose
-- partition does not exist yet (the retention job creates months ahead and moves such rows).
ALTER TABLE "audit_log" RENAME TO "audit_log_unpartitioned";--> statement-breakpoint
ALTER TABLE "audit_log_unpartitioned" DROP CONSTRAINT "audit_log_pkey";--> statement-breakpoint
DROP INDEX "audit_log_namespace_time";--> statement-breakpoint
DROP INDEX "audit_log_repository_time";--> statement-breakpoint
ALTER SEQUENCE "audit_log_id_seq" OWNED BY NONE;--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint DEFAULT nextval('audit_log_id_seq') NOT NULL,
	"kind" text NOT NULL,
	"namespace_id" integer,
	"repository_id" integer,
	"performer_id" integer,
	"performer_kind" text,
	"ip" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_log_id_created_at_pk" PRIMARY KEY("id","created_at")
) PARTITION BY RANGE ("created_at");--> statement-breakpoint
ALTER SEQUENCE "audit_log_id_seq" OWNED BY "audit_log"."id";--> statement-breakpoint
CREATE TABLE "audit_log_default" PARTITION OF "audit_log" DEFAULT;--> statement-breakpoint
DO $$
DECLARE
  month date := date_trunc('month', least(now(), coalesce((SELECT min(created_at) FROM audit_log_unpartitioned), now())) AT TIME ZONE 'UTC');
BEGIN
  WHILE month <= (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months')::date LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
      'audit_log_' || to_char(month, 'YYYY_MM'), month::text || ' 00:00:00+00', (month + interval '1 month')::date::text || ' 00:00:00+00');
    month := (month + interval '1 month')::date;
  END LOOP;
END $$;--> statement-breakpoint
INSERT INTO "audit_log" ("id", "kind", "namespace_id", "repository_id", "performer_id", "ip", "metadata", "created_at")
  SELECT "id", "kind", "namespace_id", "repository_id", "performer_id", "ip", "metadata", "created_at" FROM "audit_log_unpartitioned";--> statement-breakpoint
-- Existing rows name their performer by id only: a robot is a user row of kind robot.
UPDATE "audit_log" SET "performer_kind" = u."kind" FROM "users" u WHERE u."id" = "audit_log"."performer_id";--> statement-breakpoint
DROP TABLE "audit_log_unpartitioned";--> statement-breakpoint
CREATE INDEX "audit_log_namespace_time" ON "audit_log" USING btree ("namespace_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_repository_time" ON "audit_log" USING btree ("repository_id","created_at");--> statement-breakpoint
ALTER TABLE "manifest_pull_stats" ADD CONSTRAINT "manifest_pull_stats_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tag_pull_stats" ADD CONSTRAINT "tag_pull_stats_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_performer_time" ON "audit_log" USING btree ("performer_id","created_at");