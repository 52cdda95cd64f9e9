// One sentence per usage-log kind, from the row's metadata ("pushed image to tag latest"): the
// logs pages and the logs API both describe rows through here, so each kind is phrased once.

type Metadata = Record<string, unknown>;

/** A metadata value as text; "?" when the row does not carry it (older rows, foreign writers). */
const v = (m: Metadata, key: string): string => {
  const value = m[key];
  return value === undefined || value === null || value === "" ? "?" : String(value);
};
const repo = (m: Metadata) => (m.namespace ? `${v(m, "namespace")}/${v(m, "repo")}` : v(m, "repo"));
const short = (digest: unknown) => (typeof digest === "string" ? digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, "$1") : "?");
/** Who a permission or membership names: a user, a robot or a team. */
const grantee = (m: Metadata) =>
  m.team ? `team ${v(m, "team")}` : m.robot ? `robot ${v(m, "robot")}` : m.username ? `user ${v(m, "username")}` : "?";
const role = (m: Metadata) => {
  const r = v(m, "role");
  return r.charAt(0).toUpperCase() + r.slice(1);
};
const pulled = (m: Metadata) =>
  m.tag ? `tag ${v(m, "tag")}` : m.manifest_digest ? `digest ${short(m.manifest_digest)}` : `repository ${repo(m)}`;

const DESCRIPTIONS: Record<string, (m: Metadata) => string> = {
  // Repositories and tags
  create_repo: (m) => `created repository ${repo(m)}`,
  delete_repo: (m) => `deleted repository ${repo(m)}`,
  push_repo: (m) => (m.tag ? `pushed image to tag ${v(m, "tag")} of ${repo(m)}` : `pushed ${short(m.manifest_digest)} to ${repo(m)}`),
  push_repo_failed: (m) => `failed to push to ${repo(m)}`,
  // Identical pulls within a second are one row with their count (pull-log.ts).
  pull_repo: (m) => `pulled ${pulled(m)} of ${repo(m)}${typeof m.count === "number" && m.count > 1 ? ` ${m.count} times` : ""}`,
  pull_repo_failed: (m) => `failed to pull ${pulled(m)} of ${repo(m)}`,
  change_repo_visibility: (m) => `changed visibility of ${repo(m)} to ${v(m, "visibility")}`,
  set_repo_description: (m) => `changed the description of ${repo(m)}`,
  change_repo_state: (m) => `changed the state of ${repo(m)} to ${v(m, "state_changed")}`,
  create_tag: (m) => `created tag ${v(m, "tag")} on ${short(m.manifest_digest)} in ${repo(m)}`,
  move_tag: (m) => `moved tag ${v(m, "tag")} from ${short(m.original_manifest_digest)} to ${short(m.manifest_digest)} in ${repo(m)}`,
  delete_tag: (m) => `deleted tag ${v(m, "tag")} from ${repo(m)}`,
  permanently_delete_tag: (m) => `permanently deleted tag ${v(m, "tag")} from ${repo(m)}`,
  revert_tag: (m) => `restored tag ${v(m, "tag")} to ${short(m.manifest_digest)} in ${repo(m)}`,
  change_tag_expiration: (m) =>
    m.expiration_date ? `set tag ${v(m, "tag")} in ${repo(m)} to expire on ${v(m, "expiration_date")}` : `removed the expiration of tag ${v(m, "tag")} in ${repo(m)}`,
  manifest_label_add: (m) => `added label ${v(m, "key")}=${v(m, "value")} to ${short(m.manifest_digest)} in ${repo(m)}`,
  manifest_label_delete: (m) => `deleted label ${v(m, "key")} from ${short(m.manifest_digest)} in ${repo(m)}`,
  // Permissions
  add_repo_permission: (m) => `${grantee(m)} granted ${role(m)} on ${repo(m)}`,
  change_repo_permission: (m) => `${grantee(m)} granted ${role(m)} on ${repo(m)}`,
  delete_repo_permission: (m) => `removed the permission of ${grantee(m)} on ${repo(m)}`,
  create_prototype_permission: (m) => `created a default permission: ${role(m)} for ${grantee(m)}`,
  modify_prototype_permission: (m) => `changed a default permission to ${role(m)} for ${grantee(m)}`,
  delete_prototype_permission: (m) => `deleted a default permission for ${grantee(m)}`,
  // Robots
  create_robot: (m) => `created robot ${v(m, "robot")}`,
  delete_robot: (m) => `deleted robot ${v(m, "robot")}`,
  regenerate_robot_token: (m) => `regenerated the token of robot ${v(m, "robot")}`,
  create_robot_federation: (m) => `set the federation of robot ${v(m, "robot")}`,
  delete_robot_federation: (m) => `removed the federation of robot ${v(m, "robot")}`,
  federated_robot_token_exchange: (m) => `robot ${v(m, "robot")} exchanged a token from ${v(m, "issuer")}`,
  // Accounts
  user_create: (m) => `created user ${v(m, "username")}`,
  user_delete: (m) => `deleted user ${v(m, "username")}`,
  user_disable: (m) => `disabled user ${v(m, "username")}`,
  user_enable: (m) => `enabled user ${v(m, "username")}`,
  user_change_email: (m) => `changed the email address to ${v(m, "email")}`,
  user_change_password: (m) => `changed the password of ${v(m, "username")}`,
  user_change_tag_expiration: (m) => `set the default tag expiration of ${v(m, "username")} to ${v(m, "tag_expiration")} seconds`,
  account_convert: (m) => `converted user ${v(m, "username")} into an organization`,
  login_success: () => "logged in",
  login_failure: () => "failed to log in",
  logout_success: () => "logged out",
  // Organizations and teams
  org_create: (m) => `created organization ${v(m, "namespace")}`,
  org_delete: (m) => `deleted organization ${v(m, "namespace")}`,
  org_change_email: (m) => `changed the organization email to ${v(m, "email")}`,
  org_change_name: (m) => `renamed organization ${v(m, "old_name")} to ${v(m, "new_name")}`,
  org_change_invoicing: () => "changed the invoicing settings",
  org_change_tag_expiration: (m) => `set the default tag expiration to ${v(m, "tag_expiration")} seconds`,
  org_create_team: (m) => `created team ${v(m, "team")}`,
  org_delete_team: (m) => `deleted team ${v(m, "team")}`,
  org_set_team_role: (m) => `set the role of team ${v(m, "team")} to ${role(m)}`,
  org_set_team_description: (m) => `changed the description of team ${v(m, "team")}`,
  org_add_team_member: (m) => `added ${v(m, "member")} to team ${v(m, "team")}`,
  org_remove_team_member: (m) => `removed ${v(m, "member")} from team ${v(m, "team")}`,
  org_invite_team_member: (m) => `invited ${v(m, "member")} to team ${v(m, "team")}`,
  org_delete_team_member_invite: (m) => `withdrew the invitation of ${v(m, "member")} to team ${v(m, "team")}`,
  org_team_member_invite_accepted: (m) => `${v(m, "member")} accepted the invitation to team ${v(m, "team")}`,
  org_team_member_invite_declined: (m) => `${v(m, "member")} declined the invitation to team ${v(m, "team")}`,
  // Applications and tokens
  create_application: (m) => `created application ${v(m, "application_name")}`,
  update_application: (m) => `updated application ${v(m, "application_name")}`,
  delete_application: (m) => `deleted application ${v(m, "application_name")}`,
  reset_application_client_secret: (m) => `reset the client secret of application ${v(m, "application_name")}`,
  oauth_token_assigned: (m) => `authorized application ${v(m, "application")} (scopes ${v(m, "scope")})`,
  oauth_token_revoked: (m) => `revoked the token of application ${v(m, "application")}`,
  create_app_specific_token: (m) => `created application token ${v(m, "app_specific_token_title")}`,
  revoke_app_specific_token: (m) => `revoked application token ${v(m, "app_specific_token_title")}`,
  // Notifications, builds, mirroring
  add_repo_notification: (m) => `added a ${v(m, "event")} notification (${v(m, "method")}) to ${repo(m)}`,
  delete_repo_notification: (m) => `deleted a ${v(m, "event")} notification from ${repo(m)}`,
  reset_repo_notification: (m) => `re-enabled a ${v(m, "event")} notification on ${repo(m)}`,
  build_dockerfile: (m) => `started a build of ${repo(m)}`,
  repo_mirror_enabled: (m) => `enabled mirroring of ${repo(m)}`,
  repo_mirror_disabled: (m) => `disabled mirroring of ${repo(m)}`,
  repo_mirror_config_changed: (m) => `changed the mirror settings of ${repo(m)}`,
  repo_mirror_sync_started: (m) => `started a mirror sync of ${repo(m)}`,
  repo_mirror_sync_success: (m) => `mirrored ${repo(m)}`,
  repo_mirror_sync_failed: (m) => `failed to mirror ${repo(m)}`,
  repo_mirror_sync_now_requested: (m) => `asked for an immediate mirror sync of ${repo(m)}`,
  org_mirror_enabled: (m) => `set organization ${v(m, "namespace")} to mirror ${v(m, "external_registry_url")}/${v(m, "external_namespace")}`,
  org_mirror_disabled: (m) => `stopped organization ${v(m, "namespace")} mirroring ${v(m, "external_reference")}`,
  org_mirror_config_changed: (m) => `changed the mirror settings of organization ${v(m, "namespace")}`,
  org_mirror_sync_now_requested: (m) => `asked for an immediate mirror sync of organization ${v(m, "namespace")}`,
  org_mirror_sync_cancelled: (m) => `cancelled the mirror sync of organization ${v(m, "namespace")}`,
  org_mirror_sync_started: (m) => `started a mirror sync of organization ${v(m, "namespace")}`,
  org_mirror_sync_success: (m) => `mirrored ${v(m, "external_reference")} into organization ${v(m, "namespace")}`,
  org_mirror_sync_failed: (m) => `failed to mirror ${v(m, "external_reference")} into organization ${v(m, "namespace")}`,
  // Log export
  export_logs_success: () => "exported usage logs",
  export_logs_failure: () => "failed to export usage logs",
};

/** Kinds with a sentence of their own. */
export const describedKinds = (): string[] => Object.keys(DESCRIPTIONS);

/** The row's sentence; a kind without one reads as its name with spaces ("change repo trust"). */
export function describeLog(kind: string, metadata: Metadata): string {
  const describe = DESCRIPTIONS[kind];
  return describe ? describe(metadata) : kind.replaceAll("_", " ");
}
