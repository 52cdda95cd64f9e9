-- Counts of usage-log actions per UTC day (namespace, repository, performer, kind), kept at write
-- time so the charts and aggregatelogs stop counting millions of rows. A pull_repo row the pull
-- log folded from identical pulls counts as its metadata's `count` of pulls.
CREATE FUNCTION "audit_log_actions"(kind text, metadata jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN kind = 'pull_repo' THEN coalesce((metadata->>'count')::bigint, 1) ELSE 1 END;--> statement-breakpoint
CREATE TABLE "audit_log_day_counts" (
	"namespace_id" integer,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"repository_id" integer,
	"performer_id" integer,
	"count" bigint NOT NULL,
	CONSTRAINT "audit_log_day_counts_key" UNIQUE NULLS NOT DISTINCT("namespace_id","day","kind","repository_id","performer_id")
);
--> statement-breakpoint
CREATE INDEX "audit_log_day_counts_repository" ON "audit_log_day_counts" USING btree ("repository_id","day");--> statement-breakpoint
INSERT INTO "audit_log_day_counts" ("namespace_id", "day", "kind", "repository_id", "performer_id", "count")
  SELECT "namespace_id", ("created_at" AT TIME ZONE 'UTC')::date, "kind", "repository_id", "performer_id", sum(audit_log_actions("kind", "metadata"))
  FROM "audit_log" WHERE "namespace_id" IS NOT NULL OR "repository_id" IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5;--> statement-breakpoint
-- One statement-level trigger on the partitioned table sees every row an INSERT routes to any
-- partition (its transition table holds them all; verified on Postgres 18), so every writer — one
-- audit row, a pull batch of thousands — adds to the counts in the same transaction, one upsert
-- per statement. Keys go in sorted order so two transactions meet their rows in the same order.
-- Inserting straight into a partition (retention moving rows out of the default one) does not
-- fire it: those rows are counted already.
CREATE FUNCTION "audit_log_count_days"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log_day_counts AS c (namespace_id, day, kind, repository_id, performer_id, count)
    SELECT namespace_id, (created_at AT TIME ZONE 'UTC')::date, kind, repository_id, performer_id, sum(audit_log_actions(kind, metadata))
    FROM new_rows WHERE namespace_id IS NOT NULL OR repository_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT audit_log_day_counts_key DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "audit_log_count_days" AFTER INSERT ON "audit_log" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_count_days"();--> statement-breakpoint
-- What the text filter matches in a row besides its kind and performer: its address and its
-- metadata's top-level values, digests left out (long, unique, costly to index, never typed).
CREATE FUNCTION "audit_log_search_text"(ip text, metadata jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN coalesce(ip, '') || ' ' || coalesce((SELECT string_agg(value, ' ') FROM jsonb_each_text(metadata) WHERE key NOT LIKE '%digest'), '');--> statement-breakpoint
CREATE INDEX "audit_log_search_trgm" ON "audit_log" USING gin (audit_log_search_text("ip", "metadata") gin_trgm_ops) WHERE "kind" <> 'pull_repo';
