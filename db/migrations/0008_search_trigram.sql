CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "repositories_name_trgm" ON "repositories" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "repositories_description_trgm" ON "repositories" USING gin (lower("description") gin_trgm_ops);