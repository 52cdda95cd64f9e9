CREATE TABLE "advisories" (
	"id" serial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"advisory_id" text NOT NULL,
	"aliases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"link" text DEFAULT '' NOT NULL,
	"severity" text NOT NULL,
	"ecosystem" text NOT NULL,
	"package_name" text NOT NULL,
	"distro_id" text DEFAULT '' NOT NULL,
	"distro_release" text DEFAULT '' NOT NULL,
	"ranges" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"versions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"modified" text,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "layer_indexes" (
	"digest" text PRIMARY KEY NOT NULL,
	"indexer_version" integer NOT NULL,
	"contents" jsonb NOT NULL,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "manifest_packages" (
	"manifest_digest" text NOT NULL,
	"package_id" integer NOT NULL,
	"path" text NOT NULL,
	"layer_index" integer NOT NULL,
	"layer_digest" text NOT NULL,
	CONSTRAINT "manifest_packages_manifest_digest_package_id_path_pk" PRIMARY KEY("manifest_digest","package_id","path")
);
--> statement-breakpoint
CREATE TABLE "manifest_scans" (
	"digest" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"indexer_version" integer DEFAULT 0 NOT NULL,
	"distribution" jsonb,
	"error" text,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scanned_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "package_vulnerabilities" (
	"package_id" integer NOT NULL,
	"advisory_id" integer NOT NULL,
	"fixed_by" text DEFAULT '' NOT NULL,
	CONSTRAINT "package_vulnerabilities_package_id_advisory_id_pk" PRIMARY KEY("package_id","advisory_id")
);
--> statement-breakpoint
CREATE TABLE "scanned_packages" (
	"id" serial PRIMARY KEY NOT NULL,
	"ecosystem" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"source_name" text DEFAULT '' NOT NULL,
	"source_version" text DEFAULT '' NOT NULL,
	"arch" text DEFAULT '' NOT NULL,
	"distro_id" text DEFAULT '' NOT NULL,
	"distro_version_id" text DEFAULT '' NOT NULL,
	"distro_codename" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tag_expiry_notices" (
	"notification_id" integer NOT NULL,
	"tag_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tag_expiry_notices_notification_id_tag_id_pk" PRIMARY KEY("notification_id","tag_id")
);
--> statement-breakpoint
CREATE TABLE "vulnerability_sources" (
	"id" serial PRIMARY KEY NOT NULL,
	"location" text NOT NULL,
	"format" text NOT NULL,
	"last_imported_at" timestamp with time zone,
	"last_error" text,
	"advisory_count" integer DEFAULT 0 NOT NULL,
	"etag" text,
	CONSTRAINT "vulnerability_sources_location_unique" UNIQUE("location")
);
--> statement-breakpoint
ALTER TABLE "manifest_packages" ADD CONSTRAINT "manifest_packages_manifest_digest_manifest_scans_digest_fk" FOREIGN KEY ("manifest_digest") REFERENCES "public"."manifest_scans"("digest") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_packages" ADD CONSTRAINT "manifest_packages_package_id_scanned_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."scanned_packages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "package_vulnerabilities" ADD CONSTRAINT "package_vulnerabilities_package_id_scanned_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."scanned_packages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "package_vulnerabilities" ADD CONSTRAINT "package_vulnerabilities_advisory_id_advisories_id_fk" FOREIGN KEY ("advisory_id") REFERENCES "public"."advisories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tag_expiry_notices" ADD CONSTRAINT "tag_expiry_notices_notification_id_repository_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."repository_notifications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tag_expiry_notices" ADD CONSTRAINT "tag_expiry_notices_tag_id_tags_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tags"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "advisories_identity" ON "advisories" USING btree ("source","advisory_id","ecosystem","distro_id","distro_release","package_name");--> statement-breakpoint
CREATE INDEX "advisories_package" ON "advisories" USING btree ("ecosystem","package_name");--> statement-breakpoint
CREATE INDEX "manifest_packages_package" ON "manifest_packages" USING btree ("package_id");--> statement-breakpoint
CREATE INDEX "package_vulnerabilities_advisory" ON "package_vulnerabilities" USING btree ("advisory_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scanned_packages_identity" ON "scanned_packages" USING btree ("ecosystem","distro_id","distro_version_id","name","version","source_name","source_version","arch");--> statement-breakpoint
CREATE INDEX "scanned_packages_name" ON "scanned_packages" USING btree ("ecosystem","name");--> statement-breakpoint
CREATE INDEX "scanned_packages_source" ON "scanned_packages" USING btree ("ecosystem","source_name");