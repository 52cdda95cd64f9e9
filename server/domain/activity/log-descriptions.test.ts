import { describe, expect, it } from "vitest";
import { describedKinds, describeLog } from "./log-descriptions.ts";

describe("describeLog", () => {
  it.each([
    ["push_repo", { namespace: "org", repo: "app", tag: "latest" }, "pushed image to tag latest of org/app"],
    ["pull_repo", { namespace: "org", repo: "app", tag: "v1" }, "pulled tag v1 of org/app"],
    ["pull_repo", { namespace: "org", repo: "app", tag: "v1", count: 12 }, "pulled tag v1 of org/app 12 times"],
    ["pull_repo", { namespace: "org", repo: "app", manifest_digest: `sha256:${"ab".repeat(32)}` }, "pulled digest sha256:abababababab of org/app"],
    ["change_repo_permission", { namespace: "org", repo: "app", robot: "org+ci", role: "write" }, "robot org+ci granted Write on org/app"],
    ["org_add_team_member", { member: "alice", team: "owners" }, "added alice to team owners"],
    ["move_tag", { namespace: "o", repo: "r", tag: "t", manifest_digest: "sha256:2", original_manifest_digest: "sha256:1" }, "moved tag t from sha256:1 to sha256:2 in o/r"],
    ["org_mirror_sync_success", { namespace: "mirrors", external_reference: "https://harbor.example/team" }, "mirrored https://harbor.example/team into organization mirrors"],
  ])("%s %j", (kind, metadata, expected) => {
    expect(describeLog(kind, metadata)).toBe(expected);
  });

  it("reads a missing metadata key as ? and an unknown kind as its words", () => {
    expect(describeLog("delete_tag", {})).toBe("deleted tag ? from ?");
    expect(describeLog("change_repo_trust", {})).toBe("change repo trust");
  });

  it("has a sentence for every kind the issue lists", () => {
    const listed = ["push_repo", "pull_repo", "create_repo", "delete_repo", "change_repo_visibility", "create_tag", "move_tag", "delete_tag",
      "revert_tag", "change_tag_expiration", "create_robot", "delete_robot", "regenerate_robot_token", "change_repo_permission",
      "delete_repo_permission", "org_create_team", "org_add_team_member", "org_invite_team_member", "create_application",
      "add_repo_notification", "repo_mirror_sync_started", "build_dockerfile"];
    expect(listed.filter((kind) => !describedKinds().includes(kind))).toEqual([]);
  });
});
