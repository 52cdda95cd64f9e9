-- A grant or revocation on a repository changes who may see it (catalogs, listings): it is
-- announced as a change of the repository itself.
CREATE OR REPLACE FUNCTION quayside_notify_content_change() RETURNS trigger AS $$
BEGIN
  IF TG_TABLE_NAME = 'repositories' THEN
    PERFORM pg_notify('quayside_content', 'repository:' || COALESCE(NEW.id, OLD.id)::text);
  ELSIF TG_TABLE_NAME = 'repo_permissions' THEN
    PERFORM pg_notify('quayside_content', 'repository:' || COALESCE(NEW.repository_id, OLD.repository_id)::text);
  ELSE
    PERFORM pg_notify('quayside_content', 'content:' || COALESCE(NEW.repository_id, OLD.repository_id)::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER repo_permissions_content_change AFTER INSERT OR UPDATE OR DELETE ON "repo_permissions"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_content_change();
