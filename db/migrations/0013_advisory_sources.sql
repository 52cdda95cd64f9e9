ALTER TABLE "advisories" ADD COLUMN "source_id" integer;--> statement-breakpoint
ALTER TABLE "advisories" ADD CONSTRAINT "advisories_source_id_vulnerability_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."vulnerability_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "advisories_source" ON "advisories" USING btree ("source_id");