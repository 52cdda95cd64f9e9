CREATE TABLE "app_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" integer NOT NULL,
	"title" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_accessed_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	CONSTRAINT "app_tokens_uuid_unique" UNIQUE("uuid"),
	CONSTRAINT "app_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "default_permissions" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"namespace_id" integer NOT NULL,
	"activating_user_id" integer,
	"delegate_user_id" integer,
	"delegate_team_id" integer,
	"role" text NOT NULL,
	CONSTRAINT "default_permissions_uuid_unique" UNIQUE("uuid")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"namespace_id" integer PRIMARY KEY NOT NULL,
	"email" text DEFAULT '' NOT NULL,
	"invoice_email" boolean DEFAULT false NOT NULL,
	"invoice_email_address" text
);
--> statement-breakpoint
CREATE TABLE "robot_federations" (
	"robot_id" integer NOT NULL,
	"issuer" text NOT NULL,
	"subject" text NOT NULL,
	CONSTRAINT "robot_federations_robot_id_issuer_subject_pk" PRIMARY KEY("robot_id","issuer","subject")
);
--> statement-breakpoint
CREATE TABLE "team_invitations" (
	"id" serial PRIMARY KEY NOT NULL,
	"team_id" integer NOT NULL,
	"user_id" integer,
	"email" text,
	"inviter_id" integer,
	"code_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_invitations_code_hash_unique" UNIQUE("code_hash")
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"team_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	CONSTRAINT "team_members_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "team_repo_permissions" (
	"repository_id" integer NOT NULL,
	"team_id" integer NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "team_repo_permissions_repository_id_team_id_pk" PRIMARY KEY("repository_id","team_id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" serial PRIMARY KEY NOT NULL,
	"namespace_id" integer NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "namespace_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "namespaces" ADD COLUMN "tag_expiration_s" integer DEFAULT 1209600 NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_apps" ADD COLUMN "avatar_email" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "kind" text DEFAULT 'user' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "robot_owner_namespace_id" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "description" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "robot_metadata" jsonb;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "robot_token_hash" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "robot_token_sealed" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "last_accessed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "app_tokens" ADD CONSTRAINT "app_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "default_permissions" ADD CONSTRAINT "default_permissions_namespace_id_namespaces_id_fk" FOREIGN KEY ("namespace_id") REFERENCES "public"."namespaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "default_permissions" ADD CONSTRAINT "default_permissions_activating_user_id_users_id_fk" FOREIGN KEY ("activating_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "default_permissions" ADD CONSTRAINT "default_permissions_delegate_user_id_users_id_fk" FOREIGN KEY ("delegate_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "default_permissions" ADD CONSTRAINT "default_permissions_delegate_team_id_teams_id_fk" FOREIGN KEY ("delegate_team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_namespace_id_namespaces_id_fk" FOREIGN KEY ("namespace_id") REFERENCES "public"."namespaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "robot_federations" ADD CONSTRAINT "robot_federations_robot_id_users_id_fk" FOREIGN KEY ("robot_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_invitations" ADD CONSTRAINT "team_invitations_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_invitations" ADD CONSTRAINT "team_invitations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_invitations" ADD CONSTRAINT "team_invitations_inviter_id_users_id_fk" FOREIGN KEY ("inviter_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_repo_permissions" ADD CONSTRAINT "team_repo_permissions_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_repo_permissions" ADD CONSTRAINT "team_repo_permissions_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_namespace_id_namespaces_id_fk" FOREIGN KEY ("namespace_id") REFERENCES "public"."namespaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "default_permissions_namespace" ON "default_permissions" USING btree ("namespace_id");--> statement-breakpoint
CREATE INDEX "team_invitations_team" ON "team_invitations" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "team_invitations_user" ON "team_invitations" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "team_members_user" ON "team_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "team_repo_permissions_team" ON "team_repo_permissions" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "teams_namespace_name" ON "teams" USING btree ("namespace_id","name");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_robot_owner_namespace_id_namespaces_id_fk" FOREIGN KEY ("robot_owner_namespace_id") REFERENCES "public"."namespaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_robot_token_hash_unique" UNIQUE("robot_token_hash");--> statement-breakpoint
-- A robot's token counts as its password: regenerating it ends the tokens and remembered logins
-- issued for the old one, as a password change does.
CREATE OR REPLACE FUNCTION quayside_bump_auth_generation() RETURNS trigger AS $$
BEGIN
  IF (NEW.password_hash IS DISTINCT FROM OLD.password_hash
      AND current_setting('quayside.rehash', true) IS DISTINCT FROM 'on')
     OR NEW.robot_token_hash IS DISTINCT FROM OLD.robot_token_hash
     OR NEW.enabled IS DISTINCT FROM OLD.enabled
     OR NEW.superuser IS DISTINCT FROM OLD.superuser
     OR NEW.username IS DISTINCT FROM OLD.username THEN
    NEW.auth_generation := OLD.auth_generation + 1;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- A team's grant changes who may see a repository, like a user's; a change to a team's members or
-- role changes what its members may do across the organization: `namespace:<id>` tells every
-- node to forget the roles it remembers there.
CREATE OR REPLACE FUNCTION quayside_notify_content_change() RETURNS trigger AS $$
BEGIN
  IF TG_TABLE_NAME = 'repositories' THEN
    PERFORM pg_notify('quayside_content', 'repository:' || COALESCE(NEW.id, OLD.id)::text);
  ELSIF TG_TABLE_NAME IN ('repo_permissions', 'team_repo_permissions') THEN
    PERFORM pg_notify('quayside_content', 'repository:' || COALESCE(NEW.repository_id, OLD.repository_id)::text);
  ELSIF TG_TABLE_NAME = 'teams' THEN
    PERFORM pg_notify('quayside_content', 'namespace:' || COALESCE(NEW.namespace_id, OLD.namespace_id)::text);
  ELSIF TG_TABLE_NAME = 'team_members' THEN
    PERFORM pg_notify('quayside_content', 'namespace:' || t.namespace_id::text)
      FROM teams t WHERE t.id = COALESCE(NEW.team_id, OLD.team_id);
  ELSE
    PERFORM pg_notify('quayside_content', 'content:' || COALESCE(NEW.repository_id, OLD.repository_id)::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER team_repo_permissions_content_change AFTER INSERT OR UPDATE OR DELETE ON "team_repo_permissions"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_content_change();
--> statement-breakpoint
CREATE TRIGGER teams_content_change AFTER UPDATE OR DELETE ON "teams"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_content_change();
--> statement-breakpoint
CREATE TRIGGER team_members_content_change AFTER INSERT OR DELETE ON "team_members"
  FOR EACH ROW EXECUTE FUNCTION quayside_notify_content_change();
