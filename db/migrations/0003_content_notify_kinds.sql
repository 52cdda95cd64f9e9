-- Change notifications say what changed: `repository:<id>` when the repository row itself
-- changed (visibility, state, deletion), `content:<id>` for its tags and manifests, so nodes
-- keep their cached repository record across pushes.
CREATE OR REPLACE FUNCTION quayside_notify_content_change() RETURNS trigger AS $$
BEGIN
  IF TG_TABLE_NAME = 'repositories' THEN
    PERFORM pg_notify('quayside_content', 'repository:' || COALESCE(NEW.id, OLD.id)::text);
  ELSE
    PERFORM pg_notify('quayside_content', 'content:' || COALESCE(NEW.repository_id, OLD.repository_id)::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
