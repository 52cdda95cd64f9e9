// A small OCI client for integration tests: token handling and JSON helpers over app.request().
import { createHash } from "node:crypto";
import type { TestEnv } from "./test-app.ts";

export const sha256 = (data: Uint8Array | string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

export class RegistryClient {
  constructor(
    private readonly env: TestEnv,
    private readonly credentials?: { username: string; password: string },
  ) {}

  /** A token for the given scopes from /v2/auth. */
  async token(...scopes: string[]): Promise<string> {
    const params = new URLSearchParams({ service: "registry.test" });
    for (const s of scopes) params.append("scope", s);
    const headers: Record<string, string> = {};
    if (this.credentials) headers.authorization = basic(this.credentials.username, this.credentials.password);
    const res = await this.env.app.request(`/v2/auth?${params}`, { headers });
    if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** A request carrying a token for `repository:<repo>:pull,push,delete`. */
  async request(path: string, init: RequestInit & { repo?: string } = {}): Promise<Response> {
    const repo = init.repo ?? /^\/v2\/(.+)\/(blobs|manifests|tags|referrers)/.exec(path)?.[1];
    const token = await this.token(...(repo ? [`repository:${repo}:pull,push,delete`] : []));
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${token}`);
    return this.env.app.request(path, { ...init, headers });
  }

  async pushBlob(repo: string, data: Uint8Array | string): Promise<string> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const digest = sha256(bytes);
    const res = await this.request(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST", body: bytes as Uint8Array<ArrayBuffer> });
    if (res.status !== 201) throw new Error(`blob push failed: ${res.status} ${await res.text()}`);
    return digest;
  }

  async pushManifest(repo: string, reference: string, manifest: unknown, mediaType: string): Promise<Response> {
    return this.request(`/v2/${repo}/manifests/${reference}`, {
      method: "PUT",
      headers: { "content-type": mediaType },
      body: typeof manifest === "string" ? manifest : JSON.stringify(manifest),
    });
  }

  /** Pushes a config and one layer, then an OCI image manifest under `reference`. */
  async pushImage(repo: string, reference: string, layerText = `layer ${Math.random()}`) {
    const config = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
    const configDigest = await this.pushBlob(repo, config);
    const layerDigest = await this.pushBlob(repo, layerText);
    const manifest = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: Buffer.byteLength(layerText) }],
    };
    const body = JSON.stringify(manifest);
    const res = await this.pushManifest(repo, reference, body, manifest.mediaType);
    if (res.status !== 201) throw new Error(`manifest push failed: ${res.status} ${await res.text()}`);
    return { digest: sha256(body), body, configDigest, layerDigest };
  }
}
