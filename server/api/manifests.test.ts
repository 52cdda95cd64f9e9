import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, tags } from "../../db/schema.ts";
import { type ApiClient, ApiClient as Client, problem, tokenClient } from "../../e2e/support/api-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { pushBuiltImage, pushIndex } from "../../e2e/support/built-image.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { Clock } from "../domain/clock.ts";

/** 2024-03-05 12:00:00 UTC. */
const T0 = Date.UTC(2024, 2, 5, 12, 0, 0);
const clock: Clock = { now: () => new Date(T0) };
const EMPTY_LAYER = "sha256:a3ed95caeb02ffe68cdf9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

let env: TestEnv;
let api: ApiClient;
let reader: ApiClient;
let registry: RegistryClient;
let image: { digest: string; body: string; layers: string[] };
let index: { digest: string };

const manifestPath = (digest: string) => `/repository/alice/app/manifest/${digest}`;

beforeAll(async () => {
  env = await testEnv({}, { clock });
  const alice = await env.user("alice");
  api = await tokenClient(env, alice, ["repo:write"]);
  reader = await tokenClient(env, alice, ["repo:read"]);
  registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  image = await pushBuiltImage(registry, "alice/app", "v1", {
    "com.example.team": "blue",
    "com.example.json": '{"a": 1}',
    "quay.expires-after": "2w",
    "": "ignored: an empty key",
  });
  index = await pushIndex(registry, "alice/app", "multi", [image]);
});
afterAll(() => env.close());

describe("GET /api/v1/repository/{repo}/manifest/{digest}", () => {
  it("answers Quay's shape, every build step a layer with its command, empty steps on the empty layer", async () => {
    const res = await reader.get(manifestPath(image.digest));
    expect(res.status).toBe(200);
    const step = (index: number, command: string, size: number, digest: string, created: string, extra = {}) => ({
      index,
      compressed_size: size,
      is_remote: false,
      urls: null,
      command: [command],
      comment: null,
      author: null,
      blob_digest: digest,
      created_datetime: created,
      ...extra,
    });
    expect(res.body).toEqual({
      digest: image.digest,
      is_manifest_list: false,
      manifest_data: image.body,
      config_media_type: "application/vnd.oci.image.config.v1+json",
      layers_compressed_size: "copied file".length + "ran a command".length,
      layers: [
        step(0, "/bin/sh -c #(nop) COPY file:abc in / ", 11, image.layers[0]!, "Tue, 05 Mar 2024 10:00:00 -0000", { author: "me" }),
        step(1, "/bin/sh -c #(nop) ENV A=b", 32, EMPTY_LAYER, "Tue, 05 Mar 2024 10:01:00 -0000"),
        step(2, "/bin/sh -c #(nop) LABEL x=y", 32, EMPTY_LAYER, "Tue, 05 Mar 2024 10:02:00 -0000", { comment: "a label" }),
        step(3, "/bin/sh -c echo hi > /f", 13, image.layers[1]!, "Tue, 05 Mar 2024 10:03:00 -0000"),
      ],
    });
  });

  it("lists no layers for an index", async () => {
    const res = await reader.get<{ is_manifest_list: boolean; layers: unknown }>(manifestPath(index.digest));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_manifest_list: true, layers: null, layers_compressed_size: 0, config_media_type: null });
  });

  it("refuses unknown manifests and callers without read", async () => {
    expect((await reader.get(manifestPath(`sha256:${"0".repeat(64)}`))).body).toEqual(problem(404, "not_found", "Not Found"));
    expect((await new Client(env).get(manifestPath(image.digest))).status).toBe(401);
  });
});

interface LabelItem {
  id: string;
  key: string;
  value: string;
  source_type: string;
  media_type: string;
}

describe("labels from the image config", () => {
  it("are stored at push (source manifest, JSON values typed), empty keys skipped", async () => {
    const res = await reader.get<{ labels: LabelItem[] }>(`${manifestPath(image.digest)}/labels`);
    expect(res.status).toBe(200);
    expect(res.body.labels.map(({ id: _, ...rest }) => rest)).toEqual([
      { key: "com.example.team", value: "blue", source_type: "manifest", media_type: "text/plain" },
      { key: "com.example.json", value: '{"a": 1}', source_type: "manifest", media_type: "application/json" },
      { key: "quay.expires-after", value: "2w", source_type: "manifest", media_type: "text/plain" },
    ]);
    const filtered = await reader.get<{ labels: LabelItem[] }>(`${manifestPath(image.digest)}/labels?filter=COM.example.t`);
    expect(filtered.body.labels.map((l) => l.key)).toEqual(["com.example.team"]);
  });

  it("an index gets the labels all its children share, as Quay gives them", async () => {
    const keys = async (digest: string) =>
      (await reader.get<{ labels: LabelItem[] }>(`${manifestPath(digest)}/labels`)).body.labels.map((l) => `${l.key}=${l.value}`);
    expect(await keys(index.digest)).toEqual(["com.example.team=blue", 'com.example.json={"a": 1}', "quay.expires-after=2w"]);
    const other = await pushBuiltImage(registry, "alice/app", "other", { "com.example.team": "blue", "com.example.json": "{}" });
    const mixed = await pushIndex(registry, "alice/app", "mixed", [image, other]);
    expect(await keys(mixed.digest)).toEqual(["com.example.team=blue"]);
    const [row] = await env.deps.db.select({ expiresAt: tags.expiresAt }).from(tags).where(eq(tags.name, "mixed"));
    expect(row!.expiresAt).toBeNull();
  });

  it("quay.expires-after sets the pushed tag's expiry, counted from the push", async () => {
    const [row] = await env.deps.db
      .select({ expiresAt: tags.expiresAt })
      .from(tags)
      .where(and(eq(tags.name, "v1"), isNull(tags.lifetimeEnd)));
    expect(row!.expiresAt).toEqual(new Date(T0 + 14 * 86_400_000));
    // An index whose children all expire so expires so too.
    const [multi] = await env.deps.db.select({ expiresAt: tags.expiresAt }).from(tags).where(eq(tags.name, "multi"));
    expect(multi!.expiresAt).toEqual(new Date(T0 + 14 * 86_400_000));
  });

  it("cannot be deleted", async () => {
    const { body } = await reader.get<{ labels: LabelItem[] }>(`${manifestPath(image.digest)}/labels`);
    const res = await api.delete(`${manifestPath(image.digest)}/labels/${body.labels[0]!.id}`);
    expect(res).toMatchObject({ status: 400, body: { message: "Cannot delete immutable label" } });
  });
});

describe("labels through the API", () => {
  const labels = `/repository/alice/app/manifest/${"{digest}"}/labels`;
  const path = () => labels.replace("{digest}", image.digest);

  it("adds a label: 201, Location, the label, a manifest_label_add entry; reads and deletes it", async () => {
    const res = await api.post<{ label: LabelItem }>(path(), { key: "env", value: "prod", media_type: null });
    expect(res.status).toBe(201);
    const { label } = res.body;
    expect(label).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), key: "env", value: "prod", source_type: "api", media_type: "text/plain" });
    expect(res.headers.get("location")).toBe(`/api/v1${path()}/${label.id}`);
    expect((await reader.get(`${path()}/${label.id}`)).body).toEqual(label);
    const [added] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "manifest_label_add"));
    expect(added!.metadata).toEqual({
      id: label.id,
      key: "env",
      value: "prod",
      manifest_digest: image.digest,
      media_type: "text/plain",
      namespace: "alice",
      repo: "app",
      // The API client acts through an OAuth token (one without an application here).
      oauth_token_id: expect.any(Number),
    });

    expect((await api.delete(`${path()}/${label.id}`)).status).toBe(204);
    expect((await reader.get(`${path()}/${label.id}`)).status).toBe(404);
    expect((await api.delete(`${path()}/${label.id}`)).status).toBe(404);
    const [deleted] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "manifest_label_delete"));
    expect(deleted!.metadata).toMatchObject({ id: label.id, key: "env", value: "prod", manifest_digest: image.digest });
  });

  it("takes an explicit media type", async () => {
    const res = await api.post<{ label: LabelItem }>(path(), { key: "doc", value: "[1]", media_type: "text/plain" });
    expect(res.body.label.media_type).toBe("text/plain");
    const inferred = await api.post<{ label: LabelItem }>(path(), { key: "doc2", value: "[1]", media_type: null });
    expect(inferred.body.label.media_type).toBe("application/json");
  });

  it("refuses reserved prefixes, bad keys and media types, as Quay does", async () => {
    for (const key of ["quay.expires-after", "io.quay.x", "com.docker.x", "org.opencontainers.image.title", "internal-x"]) {
      const res = await api.post(path(), { key, value: "v", media_type: null });
      expect(res, key).toMatchObject({ status: 400, body: { message: "Label has a reserved prefix" } });
    }
    for (const key of ["Upper", "a..b", "a.-b", "-a", "a-", "", "a_b", "x".repeat(256)]) {
      const res = await api.post(path(), { key, value: "v", media_type: null });
      expect(res.status, key).toBe(400);
      expect(res.body, key).toEqual({
        message: "Label is of an invalid format or missing please use ^[a-z0-9](([a-z0-9]|[-.](?![.-]))*[a-z0-9])?$ format for labels",
      });
    }
    const badType = await api.post<{ error_type: string }>(path(), { key: "k", value: "v", media_type: "text/html" });
    expect(badType.status).toBe(400);
    expect(badType.body.error_type).toBe("invalid_request");
    const missing = await api.post<{ error_type: string }>(path(), { key: "k", value: "v" });
    expect(missing.status).toBe(400);
    expect((await api.post(labels.replace("{digest}", `sha256:${"1".repeat(64)}`), { key: "k", value: "v", media_type: null })).status).toBe(404);
  });

  it("needs write to add or delete, read to list", async () => {
    expect((await reader.post(path(), { key: "k", value: "v", media_type: null })).status).toBe(403);
    expect((await new Client(env).get(path())).status).toBe(401);
    expect((await reader.get(`${path()}/not-a-uuid`)).status).toBe(404);
  });
});

interface Image {
  id: string;
  created: string | null;
  comment: string | null;
  command: string[] | null;
  size: number;
  uploading: boolean;
  sort_index: number;
  ancestors: string;
  tags?: string[];
  history?: Image[];
}

/** The four images (build steps) of the manifest tagged `tag`, base first, from the list. */
function imagesOf(images: Image[], tag: string): Image[] {
  const leaf = images.findIndex((i) => i.tags?.includes(tag));
  return images.slice(leaf - 3, leaf + 1);
}

describe("legacy image API", () => {
  it("lists an image per build step of each live tag's manifest (indexes have none), v1 ids as Quay derives them", async () => {
    const res = await reader.get<{ images: Image[] }>("/repository/alice/app/image/");
    expect(res.status).toBe(200);
    // v1 and other: four steps each; the indexes multi and mixed have no images.
    expect(res.body.images).toHaveLength(8);
    for (const i of res.body.images) expect(i.id).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(res.body.images.map((i) => i.id)).size).toBe(8);
    const [base, env1, label, leaf] = imagesOf(res.body.images, "v1") as [Image, Image, Image, Image];
    expect(base).toEqual({
      id: base.id,
      created: "Tue, 05 Mar 2024 10:00:00 -0000",
      comment: null,
      command: ["/bin/sh -c #(nop) COPY file:abc in / "],
      size: 11,
      uploading: false,
      sort_index: 0,
      ancestors: "//",
      tags: [],
    });
    expect(leaf).toMatchObject({ sort_index: 3, tags: ["v1"], size: 13, ancestors: `/${label.id}/${env1.id}/${base.id}/` });
    expect(env1.size).toBe(32);
  });

  it("answers one image with its history, and 404 for ids it did not make", async () => {
    const { body } = await reader.get<{ images: Image[] }>("/repository/alice/app/image/");
    const images = imagesOf(body.images, "v1");
    const leaf = images[3]!;
    const res = await reader.get<Image>(`/repository/alice/app/image/${leaf.id}`);
    expect(res.status).toBe(200);
    const { tags: _, ...withoutTags } = leaf;
    expect(res.body).toEqual({ ...withoutTags, history: images.slice(0, 3).reverse().map(({ tags: __, ...i }) => i) });
    expect((await reader.get(`/repository/alice/app/image/${"0".repeat(64)}`)).status).toBe(404);
    expect((await reader.get("/repository/alice/app/image/zzz")).status).toBe(404);
  });
});
