-- Every change to a repository, its tags or its manifests tells all nodes (after commit, as
-- NOTIFY is transactional) so they drop what they cache about that repository.
CREATE OR REPLACE FUNCTION quayside_notify_content_change() RETURNS trigger AS $$
DECLARE
  repo integer;
BEGIN
  IF TG_TABLE_NAME = 'repositories' THEN
    repo := COALESCE(NEW.id, OLD.id);
  ELSE
    repo := COALESCE(NEW.repository_id, OLD.repository_id);
  END IF;
  PERFORM pg_notify('quayside_content', repo::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER repositories_content_change AFTER INSERT OR UPDATE OR DELETE ON "repositories"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_content_change();
--> statement-breakpoint
CREATE TRIGGER tags_content_change AFTER INSERT OR UPDATE OR DELETE ON "tags"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_content_change();
--> statement-breakpoint
CREATE TRIGGER manifests_content_change AFTER INSERT OR UPDATE OR DELETE ON "manifests"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_content_change();
