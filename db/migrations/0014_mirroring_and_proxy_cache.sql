CREATE TABLE "organization_mirror_repositories" (
	"namespace_id" integer NOT NULL,
	"name" text NOT NULL,
	"repository_id" integer,
	"sync_status" text DEFAULT 'NEVER_RUN' NOT NULL,
	"status_message" text,
	"discovery_date" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sync_date" timestamp with time zone,
	CONSTRAINT "organization_mirror_repositories_namespace_id_name_pk" PRIMARY KEY("namespace_id","name")
);
--> statement-breakpoint
CREATE TABLE "organization_mirrors" (
	"namespace_id" integer PRIMARY KEY NOT NULL,
	"is_enabled" boolean DEFAULT true NOT NULL,
	"external_registry_type" text NOT NULL,
	"external_registry_url" text NOT NULL,
	"external_namespace" text NOT NULL,
	"username_sealed" text,
	"password_sealed" text,
	"verify_tls" boolean DEFAULT true NOT NULL,
	"http_proxy" text,
	"https_proxy" text,
	"no_proxy" text,
	"repository_filters" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"visibility" text DEFAULT 'private' NOT NULL,
	"robot_user_id" integer,
	"sync_interval_s" integer DEFAULT 86400 NOT NULL,
	"sync_start_date" timestamp with time zone NOT NULL,
	"sync_expiration_date" timestamp with time zone,
	"sync_retries_remaining" integer DEFAULT 3 NOT NULL,
	"sync_status" text DEFAULT 'NEVER_RUN' NOT NULL,
	"skopeo_timeout_s" integer DEFAULT 300 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "proxy_cache_configs" (
	"namespace_id" integer PRIMARY KEY NOT NULL,
	"upstream_registry" text NOT NULL,
	"username_sealed" text,
	"password_sealed" text,
	"expiration_s" integer DEFAULT 86400 NOT NULL,
	"insecure" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "proxy_tag_checks" (
	"repository_id" integer NOT NULL,
	"tag" text NOT NULL,
	"upstream_digest" text NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	CONSTRAINT "proxy_tag_checks_repository_id_tag_pk" PRIMARY KEY("repository_id","tag")
);
--> statement-breakpoint
CREATE TABLE "repository_mirrors" (
	"repository_id" integer PRIMARY KEY NOT NULL,
	"is_enabled" boolean DEFAULT true NOT NULL,
	"external_reference" text NOT NULL,
	"username_sealed" text,
	"password_sealed" text,
	"verify_tls" boolean DEFAULT true NOT NULL,
	"unsigned_images" boolean DEFAULT false NOT NULL,
	"http_proxy" text,
	"https_proxy" text,
	"no_proxy" text,
	"tag_globs" jsonb NOT NULL,
	"architecture_filter" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"remove_missing_tags" boolean DEFAULT true NOT NULL,
	"robot_user_id" integer,
	"sync_interval_s" integer DEFAULT 86400 NOT NULL,
	"sync_start_date" timestamp with time zone NOT NULL,
	"sync_expiration_date" timestamp with time zone,
	"sync_retries_remaining" integer DEFAULT 3 NOT NULL,
	"sync_status" text DEFAULT 'NEVER_RUN' NOT NULL,
	"sync_transaction_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"skopeo_timeout_s" integer DEFAULT 300 NOT NULL,
	"last_sync_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organization_mirror_repositories" ADD CONSTRAINT "organization_mirror_repositories_namespace_id_organization_mirrors_namespace_id_fk" FOREIGN KEY ("namespace_id") REFERENCES "public"."organization_mirrors"("namespace_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_mirror_repositories" ADD CONSTRAINT "organization_mirror_repositories_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_mirrors" ADD CONSTRAINT "organization_mirrors_namespace_id_namespaces_id_fk" FOREIGN KEY ("namespace_id") REFERENCES "public"."namespaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_mirrors" ADD CONSTRAINT "organization_mirrors_robot_user_id_users_id_fk" FOREIGN KEY ("robot_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proxy_cache_configs" ADD CONSTRAINT "proxy_cache_configs_namespace_id_namespaces_id_fk" FOREIGN KEY ("namespace_id") REFERENCES "public"."namespaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proxy_tag_checks" ADD CONSTRAINT "proxy_tag_checks_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repository_mirrors" ADD CONSTRAINT "repository_mirrors_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repository_mirrors" ADD CONSTRAINT "repository_mirrors_robot_user_id_users_id_fk" FOREIGN KEY ("robot_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "repository_mirrors_due" ON "repository_mirrors" USING btree ("sync_start_date") WHERE "repository_mirrors"."is_enabled";--> statement-breakpoint
CREATE INDEX "user_notifications_unread" ON "user_notifications" USING btree ("target_namespace_id") WHERE not "user_notifications"."dismissed";