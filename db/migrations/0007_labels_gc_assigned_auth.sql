CREATE TABLE "gc_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"phase" text DEFAULT 'uploads' NOT NULL,
	"manifest_cursor" integer DEFAULT 0 NOT NULL,
	"blob_cursor" text DEFAULT '' NOT NULL,
	"manifests_examined" integer DEFAULT 0 NOT NULL,
	"manifests_deleted" integer DEFAULT 0 NOT NULL,
	"blobs_examined" integer DEFAULT 0 NOT NULL,
	"blobs_deleted" integer DEFAULT 0 NOT NULL,
	"uploads_deleted" integer DEFAULT 0 NOT NULL,
	"bytes_reclaimed" bigint DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "manifest_labels" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"manifest_id" integer NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"media_type" text DEFAULT 'text/plain' NOT NULL,
	"source_type" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "manifest_labels_uuid_unique" UNIQUE("uuid")
);
--> statement-breakpoint
CREATE TABLE "oauth_assigned_authorizations" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"app_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"redirect_uri" text NOT NULL,
	"scopes" text NOT NULL,
	"response_type" text DEFAULT 'token' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oauth_assigned_authorizations_uuid_unique" UNIQUE("uuid")
);
--> statement-breakpoint
ALTER TABLE "manifest_labels" ADD CONSTRAINT "manifest_labels_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_assigned_authorizations" ADD CONSTRAINT "oauth_assigned_authorizations_app_id_oauth_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."oauth_apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_assigned_authorizations" ADD CONSTRAINT "oauth_assigned_authorizations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "manifest_labels_manifest" ON "manifest_labels" USING btree ("manifest_id");--> statement-breakpoint
CREATE INDEX "oauth_assigned_authorizations_user" ON "oauth_assigned_authorizations" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "tags_live_start" ON "tags" USING btree ("repository_id","lifetime_start" DESC NULLS LAST,"name") WHERE "tags"."lifetime_end" is null;--> statement-breakpoint
CREATE INDEX "tags_history_start" ON "tags" USING btree ("repository_id","lifetime_start" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tags_live_expiry" ON "tags" USING btree ("expires_at") WHERE "tags"."lifetime_end" is null and "tags"."expires_at" is not null;