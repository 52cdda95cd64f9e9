CREATE TABLE "repository_authorized_emails" (
	"id" serial PRIMARY KEY NOT NULL,
	"repository_id" integer NOT NULL,
	"email" text NOT NULL,
	"code" text NOT NULL,
	"confirmed" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "repository_authorized_emails_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "repository_notifications" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" integer NOT NULL,
	"title" text,
	"event" text NOT NULL,
	"method" text NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"event_config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"number_of_failures" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "repository_notifications_uuid_unique" UNIQUE("uuid")
);
--> statement-breakpoint
CREATE TABLE "user_notifications" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"target_namespace_id" integer NOT NULL,
	"kind" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dismissed" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_notifications_uuid_unique" UNIQUE("uuid")
);
--> statement-breakpoint
ALTER TABLE "repository_authorized_emails" ADD CONSTRAINT "repository_authorized_emails_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repository_notifications" ADD CONSTRAINT "repository_notifications_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_notifications" ADD CONSTRAINT "user_notifications_target_namespace_id_namespaces_id_fk" FOREIGN KEY ("target_namespace_id") REFERENCES "public"."namespaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "repository_authorized_emails_repository_email" ON "repository_authorized_emails" USING btree ("repository_id","email");--> statement-breakpoint
CREATE INDEX "repository_notifications_repository_event" ON "repository_notifications" USING btree ("repository_id","event");--> statement-breakpoint
CREATE INDEX "user_notifications_target_time" ON "user_notifications" USING btree ("target_namespace_id","created_at");