// Pushing images to a running server over the OCI API, as a registry client would, but fast:
// browser tests need repositories and tags to look at, not a real build.
import { createHash } from "node:crypto";
import { expect } from "vitest";

const sha256 = (data: string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export interface Registry {
  /** http://127.0.0.1:port */
  url: string;
  /** host:port, as registry clients name it. */
  host: string;
}

type Credentials = { username: string; password: string };

/** A token for pushing to `repo`, and blob and manifest uploads with it. */
async function pushSession(registry: Registry, credentials: Credentials, repo: string) {
  const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  const params = new URLSearchParams({ service: registry.host, scope: `repository:${repo}:pull,push` });
  const auth = await fetch(`${registry.url}/v2/auth?${params}`, { headers: { authorization: basic } });
  expect(auth.status).toBe(200);
  const { token } = (await auth.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  return {
    async pushBlob(data: string) {
      const digest = sha256(data);
      const res = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST", headers, body: data });
      expect(res.status).toBe(201);
      return { digest, size: Buffer.byteLength(data) };
    },
    async putManifest(reference: string, body: string, mediaType: string) {
      const res = await fetch(`${registry.url}/v2/${repo}/manifests/${reference}`, {
        method: "PUT",
        headers: { ...headers, "content-type": mediaType },
        body,
      });
      expect(res.status).toBe(201);
    },
  };
}

/** What the image's config says: its labels and the platform it runs on. */
export interface ImageConfig {
  labels?: Record<string, string>;
  architecture?: string;
  variant?: string;
}

/**
 * Pushes a one-layer image to `repo` and points each of `tags` at it, in order (so the last tag
 * is the most recent). Returns the manifest digest.
 */
export async function pushImage(registry: Registry, credentials: Credentials, repo: string, ...tags: [string, ...string[]]): Promise<string> {
  return (await pushConfiguredImage(registry, credentials, repo, {}, ...tags)).digest;
}

/** `pushImage` with a config of one's choosing; returns the manifest's digest and size. */
export async function pushConfiguredImage(
  registry: Registry,
  credentials: Credentials,
  repo: string,
  config: ImageConfig,
  ...tags: [string, ...string[]]
): Promise<{ digest: string; size: number }> {
  const session = await pushSession(registry, credentials, repo);
  const configBlob = await session.pushBlob(
    JSON.stringify({
      architecture: config.architecture ?? "amd64",
      os: "linux",
      ...(config.variant ? { variant: config.variant } : {}),
      ...(config.labels ? { config: { Labels: config.labels } } : {}),
      rootfs: { type: "layers", diff_ids: [] },
    }),
  );
  const layer = await session.pushBlob(`layer of ${repo}:${tags[0]} `.repeat(200));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...configBlob },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
  });
  for (const tag of tags) await session.putManifest(tag, manifest, "application/vnd.oci.image.manifest.v1+json");
  return { digest: sha256(manifest), size: Buffer.byteLength(manifest) };
}

/** Pushes an OCI index of manifests already in `repo`, each for its platform, as `tag`. */
export async function pushIndex(
  registry: Registry,
  credentials: Credentials,
  repo: string,
  tag: string,
  children: Array<{ digest: string; size: number; platform: { os: string; architecture: string; variant?: string } }>,
): Promise<string> {
  const session = await pushSession(registry, credentials, repo);
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: children.map((c) => ({ mediaType: "application/vnd.oci.image.manifest.v1+json", ...c })),
  });
  await session.putManifest(tag, index, "application/vnd.oci.image.index.v1+json");
  return sha256(index);
}
