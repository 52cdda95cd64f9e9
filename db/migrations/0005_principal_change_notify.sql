ALTER TABLE "users" ADD COLUMN "auth_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A change to an account's password, `enabled`, `superuser` or name bumps its auth_generation:
-- registry tokens and remembered logins carry the generation they were issued under, so they
-- stop working with it. Storing the same password again at a higher cost is no change: that
-- statement sets `quayside.rehash` (transaction-local) to say so.
CREATE OR REPLACE FUNCTION quayside_bump_auth_generation() RETURNS trigger AS $$
BEGIN
  IF (NEW.password_hash IS DISTINCT FROM OLD.password_hash
      AND current_setting('quayside.rehash', true) IS DISTINCT FROM 'on')
     OR NEW.enabled IS DISTINCT FROM OLD.enabled
     OR NEW.superuser IS DISTINCT FROM OLD.superuser
     OR NEW.username IS DISTINCT FROM OLD.username THEN
    NEW.auth_generation := OLD.auth_generation + 1;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_auth_generation BEFORE UPDATE ON "users"
  FOR EACH ROW EXECUTE FUNCTION quayside_bump_auth_generation();
--> statement-breakpoint
-- Every node hears (after commit) of an account whose generation moved or that went
-- (`user:<id>`), and of an OAuth token that changed or went (`token:<id>`), so it drops what it
-- remembers of them.
CREATE OR REPLACE FUNCTION quayside_notify_principal_change() RETURNS trigger AS $$
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    IF TG_OP = 'DELETE' OR NEW.auth_generation <> OLD.auth_generation THEN
      PERFORM pg_notify('quayside_principals', 'user:' || OLD.id::text);
    END IF;
  ELSE
    PERFORM pg_notify('quayside_principals', 'token:' || OLD.id::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_principal_change AFTER UPDATE OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_principal_change();
--> statement-breakpoint
CREATE TRIGGER oauth_tokens_principal_change AFTER UPDATE OR DELETE ON "oauth_tokens"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_principal_change();
