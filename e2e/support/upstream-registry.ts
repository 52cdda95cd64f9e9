// An upstream registry for mirroring tests and the mirror bench: distribution with htpasswd Basic
// auth (./distribution.ts), filled by skopeo from OCI layouts written here (images of given
// layers, and multi-arch indexes).
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startDistribution } from "./distribution.ts";

const run = promisify(execFile);
const sha256 = (data: Uint8Array | string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export const OCI_IMAGE = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

export interface UpstreamRegistry {
  /** host:port */
  host: string;
  username: string;
  password: string;
  rootDir: string;
  /** Starts it again after stop(), on the same port and storage. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Copies a layout's image or index to `repo:tag` with skopeo. */
  push(layout: OciLayout, repo: string, tag: string): Promise<void>;
  /** Deletes the manifest `repo:tag` names (and so every tag on it), with skopeo. */
  delete(repo: string, tag: string): Promise<void>;
  /** Removes the storage too. */
  close(): Promise<void>;
}

export async function startUpstreamRegistry(options: { username?: string; password?: string } = {}): Promise<UpstreamRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "quayside-upstream-"));
  const username = options.username ?? "mirror";
  const password = options.password ?? "upstream-secret";
  const distribution = await startDistribution(dir, { htpasswd: { username, password } });
  const { host } = distribution;
  const creds = `${username}:${password}`;
  const registry: UpstreamRegistry = {
    host,
    username,
    password,
    rootDir: distribution.rootDir,
    start: distribution.start,
    stop: distribution.stop,
    async push(layout, repo, tag) {
      await run("skopeo", ["copy", "--all", "--preserve-digests", "--insecure-policy", "--dest-tls-verify=false", "--dest-creds", creds, `oci:${layout.dir}:${layout.ref}`, `docker://${host}/${repo}:${tag}`]);
    },
    async delete(repo, tag) {
      await run("skopeo", ["delete", "--tls-verify=false", "--creds", creds, `docker://${host}/${repo}:${tag}`]);
    },
    async close() {
      await distribution.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return registry;
}

export interface OciLayout {
  dir: string;
  ref: string;
  /** The digest of what `ref` names (image or index). */
  digest: string;
}

export interface BuiltImage {
  digest: string;
  body: string;
  size: number;
  blobs: { digest: string; size: number }[];
}

/** Writes OCI layouts by hand: blobs once each, any number of refs. */
export class LayoutWriter {
  private readonly refs: { ref: string; digest: string; mediaType: string; size: number }[] = [];
  /** Layers already written, by their bytes' object: one shared by many images is hashed and written once. */
  private readonly written = new WeakMap<Uint8Array, { digest: string; size: number }>();
  constructor(readonly dir: string) {}

  private async blob(data: Uint8Array | string): Promise<{ digest: string; size: number }> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const known = this.written.get(bytes);
    if (known) return known;
    const digest = sha256(bytes);
    await mkdir(join(this.dir, "blobs/sha256"), { recursive: true });
    await writeFile(join(this.dir, "blobs/sha256", digest.slice(7)), bytes);
    const blob = { digest, size: bytes.byteLength };
    this.written.set(bytes, blob);
    return blob;
  }

  /** An image of the given layers (uncompressed tar media type: the bytes are copied as they are). */
  async image(layers: Uint8Array[], platform: { architecture: string; os: string } = { architecture: "amd64", os: "linux" }, label = ""): Promise<BuiltImage> {
    const layerBlobs = [];
    for (const layer of layers) layerBlobs.push(await this.blob(layer));
    const config = await this.blob(
      JSON.stringify({ ...platform, config: { Labels: { built: label } }, rootfs: { type: "layers", diff_ids: layerBlobs.map((l) => l.digest) } }),
    );
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_IMAGE,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
      layers: layerBlobs.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar", ...l })),
    });
    const manifest = await this.blob(body);
    return { ...manifest, body, blobs: [config, ...layerBlobs] };
  }

  async index(children: { image: BuiltImage; platform: { architecture: string; os: string } }[]): Promise<{ digest: string; size: number; body: string }> {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map((c) => ({ mediaType: OCI_IMAGE, digest: c.image.digest, size: c.image.size, platform: c.platform })),
    });
    return { ...(await this.blob(body)), body };
  }

  /** Names a manifest in index.json; the layout as skopeo reads it. */
  async tag(ref: string, manifest: { digest: string; size: number }, mediaType: string): Promise<OciLayout> {
    this.refs.push({ ref, digest: manifest.digest, size: manifest.size, mediaType });
    await writeFile(join(this.dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await writeFile(
      join(this.dir, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        manifests: this.refs.map((r) => ({ mediaType: r.mediaType, digest: r.digest, size: r.size, annotations: { "org.opencontainers.image.ref.name": r.ref } })),
      }),
    );
    return { dir: this.dir, ref, digest: manifest.digest };
  }
}

/** Random bytes for a layer (random so no two layers share a digest by accident). */
export const randomLayer = (bytes: number) => new Uint8Array(randomBytes(bytes));

/** Quay's mirror request body for `robot` mirroring `host/team/app` of this upstream with glob `1-*` (fields overridable). */
export const mirrorRequest = (upstream: Pick<UpstreamRegistry, "username" | "password">, host: string, over: Record<string, unknown> = {}) => ({
  is_enabled: true,
  external_reference: `${host}/team/app`,
  external_registry_username: upstream.username,
  external_registry_password: upstream.password,
  external_registry_config: { verify_tls: false },
  sync_interval: 86_400,
  sync_start_date: "2020-01-01T00:00:00Z",
  root_rule: { rule_kind: "tag_glob_csv", rule_value: ["1-*"] },
  robot_username: "alice+mirror",
  skopeo_timeout_interval: 300,
  ...over,
});
