// The notifications page's sentence for each event kind, from Quay's event payloads.
import { describe, expect, it } from "vitest";
import { NOTIFICATION_EVENTS } from "./catalog.ts";
import { inAppSentence, type Sentence, tagList } from "./in-app-sentences.ts";

const repo = { repository: "acme/web/app", namespace: "acme", name: "web/app" };
const read = (s: Sentence) => s.parts.map((p) => (typeof p === "string" ? p : `[${p.repository.namespace}/${p.repository.name}]`)).join("");

describe("inAppSentence", () => {
  it("says what happened for every event, the repository linked as its own part", () => {
    const cases: Record<string, [Record<string, unknown>, string]> = {
      repo_push: [{ updated_tags: ["latest", "v1"] }, "Tags latest and v1 were pushed to [acme/web/app]."],
      build_queued: [{ build_name: "nightly" }, "Build “nightly” of [acme/web/app] was queued."],
      build_start: [{}, "Build of [acme/web/app] started."],
      build_success: [{}, "Build of [acme/web/app] succeeded."],
      build_failure: [{ error_message: "step 3 failed" }, "Build of [acme/web/app] failed: step 3 failed"],
      build_cancelled: [{}, "Build of [acme/web/app] was cancelled."],
      vulnerability_found: [
        { tags: ["latest"], vulnerability: { id: "CVE-1", priority: "Critical" } },
        "A Critical vulnerability (CVE-1) was found in [acme/web/app] (tag latest).",
      ],
      repo_mirror_sync_started: [{}, "Mirroring of [acme/web/app] started."],
      repo_mirror_sync_success: [{}, "Mirroring of [acme/web/app] finished."],
      repo_mirror_sync_failed: [{ message: "registry unreachable" }, "Mirroring of [acme/web/app] failed: registry unreachable"],
      repo_image_expiry: [{ tags: ["v1"], expiring_in: "7 days" }, "Tag v1 of [acme/web/app] expires in 7 days."],
    };
    for (const event of NOTIFICATION_EVENTS) {
      const [data, sentence] = cases[event]!;
      const said = inAppSentence(event, { ...repo, ...data });
      expect(read(said), event).toBe(sentence);
      expect(said.repository).toEqual({ namespace: "acme", name: "web/app" });
    }
  });

  it("reads missing or odd fields, unknown kinds and a repository given only as a path", () => {
    expect(read(inAppSentence("repo_push", { repository: "acme/web" }))).toBe("[acme/web] was pushed to.");
    expect(read(inAppSentence("repo_push", { ...repo, updated_tags: "latest" }))).toBe("[acme/web/app] was pushed to.");
    expect(read(inAppSentence("vulnerability_found", { ...repo, vulnerability: null }))).toBe("A vulnerability was found in [acme/web/app].");
    expect(read(inAppSentence("repo_image_expiry", repo))).toBe("Images of [acme/web/app] expire soon.");
    expect(read(inAppSentence("quota_warning", repo))).toBe("Notification “quota_warning” about [acme/web/app].");
    const bare = inAppSentence("repo_push", {});
    expect(bare).toEqual({ parts: ["A repository was pushed to."], repository: null });
  });

  it("shortens long tag lists", () => {
    expect(tagList(["a"])).toBe("a");
    expect(tagList(["a", "b", "c"])).toBe("a, b and c");
    expect(tagList(["a", "b", "c", "d", "e", "f", "g"])).toBe("a, b, c, d, e and 2 more");
  });
});
