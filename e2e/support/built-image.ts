// An image as a builder would push it: four Containerfile steps (COPY, ENV, LABEL, RUN) recorded
// in the config's history, two of them making layers, with labels of one's choosing.
import type { RegistryClient } from "./registry-client.ts";
import { sha256 } from "./registry-client.ts";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const BUILT_LAYER_TEXTS = ["copied file", "ran a command"];

export async function pushBuiltImage(registry: RegistryClient, repo: string, tag: string, labels: Record<string, string>) {
  const layers = [];
  for (const text of BUILT_LAYER_TEXTS) layers.push(await registry.pushBlob(repo, text));
  const config = JSON.stringify({
    architecture: "arm64",
    os: "linux",
    variant: "v8",
    created: "2024-03-05T11:00:00Z",
    config: { Labels: labels },
    rootfs: { type: "layers", diff_ids: layers },
    history: [
      { created: "2024-03-05T10:00:00Z", created_by: "/bin/sh -c #(nop) COPY file:abc in / ", author: "me" },
      { created: "2024-03-05T10:01:00Z", created_by: "/bin/sh -c #(nop) ENV A=b", empty_layer: true },
      { created: "2024-03-05T10:02:00Z", created_by: "/bin/sh -c #(nop) LABEL x=y", empty_layer: true, comment: "a label" },
      { created: "2024-03-05T10:03:00Z", created_by: "/bin/sh -c echo hi > /f" },
    ],
  });
  const configDigest = await registry.pushBlob(repo, config);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
    layers: layers.map((digest, i) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar", digest, size: BUILT_LAYER_TEXTS[i]!.length })),
  });
  const res = await registry.pushManifest(repo, tag, body, OCI_MANIFEST);
  if (res.status !== 201) throw new Error(`push failed: ${res.status} ${await res.text()}`);
  return { digest: sha256(body), body, layers };
}

/** Pushes an index of the given manifests (arm64/linux/v8 each) under `tag`. */
export async function pushIndex(registry: RegistryClient, repo: string, tag: string, children: { digest: string; body: string }[]) {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: children.map((c) => ({
      mediaType: OCI_MANIFEST,
      digest: c.digest,
      size: Buffer.byteLength(c.body),
      platform: { architecture: "arm64", os: "linux", variant: "v8" },
    })),
  });
  const res = await registry.pushManifest(repo, tag, body, OCI_INDEX);
  if (res.status !== 201) throw new Error(`push failed: ${res.status} ${await res.text()}`);
  return { digest: sha256(body), body };
}

/** Pushes gzipped layer blobs as an amd64 image under `tag` (for the scanner: each blob a layer tar). */
export async function pushLayeredImage(registry: RegistryClient, repo: string, tag: string, blobs: Uint8Array[]) {
  const layers: string[] = [];
  for (const blob of blobs) layers.push(await registry.pushBlob(repo, blob));
  const config = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
  const configDigest = await registry.pushBlob(repo, config);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
    layers: blobs.map((blob, i) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layers[i], size: blob.length })),
  });
  const res = await registry.pushManifest(repo, tag, body, OCI_MANIFEST);
  if (res.status !== 201) throw new Error(`push failed: ${res.status} ${await res.text()}`);
  return { digest: sha256(body), body, layers };
}
