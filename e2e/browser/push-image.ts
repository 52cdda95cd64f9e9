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

/**
 * Pushes a one-layer image to `repo` and points each of `tags` at it, in order (so the last tag
 * is the most recent). Returns the manifest digest.
 */
export async function pushImage(
  registry: Registry,
  credentials: { username: string; password: string },
  repo: string,
  ...tags: [string, ...string[]]
): Promise<string> {
  const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  const params = new URLSearchParams({ service: registry.host, scope: `repository:${repo}:pull,push` });
  const auth = await fetch(`${registry.url}/v2/auth?${params}`, { headers: { authorization: basic } });
  expect(auth.status).toBe(200);
  const { token } = (await auth.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  const pushBlob = async (data: string) => {
    const digest = sha256(data);
    const res = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST", headers, body: data });
    expect(res.status).toBe(201);
    return { digest, size: Buffer.byteLength(data) };
  };
  const config = await pushBlob(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
  const layer = await pushBlob(`layer of ${repo}:${tags[0]} `.repeat(200));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
  });
  for (const tag of tags) {
    const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
      method: "PUT",
      headers: { ...headers, "content-type": "application/vnd.oci.image.manifest.v1+json" },
      body: manifest,
    });
    expect(res.status).toBe(201);
  }
  return sha256(manifest);
}
