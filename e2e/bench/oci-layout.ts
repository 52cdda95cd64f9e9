// A 10-layer image as an OCI layout on disk, built by hand for `skopeo copy oci:DIR:tag …`.
// Layers are real gzip streams (of random bytes, so they do not shrink): skopeo then copies
// them as they are instead of compressing them on the way.
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { type Blob, configBlob, imageManifest, OCI_MANIFEST, sha256 } from "./client.ts";

export interface OciLayout {
  dir: string;
  tag: string;
  layers: number;
  bytes: number;
}

export async function buildOciLayout(dir: string, layers: number, layerBytes: number, tag = "v1"): Promise<OciLayout> {
  const blobsDir = join(dir, "blobs/sha256");
  await mkdir(blobsDir, { recursive: true });
  const write = async (blob: Blob) => writeFile(join(blobsDir, blob.digest.slice("sha256:".length)), blob.data);
  const layerBlobs: Blob[] = [];
  for (let i = 0; i < layers; i++) {
    const data = await promisify(gzip)(randomBytes(layerBytes), { level: 1 });
    layerBlobs.push({ data, digest: sha256(data) });
  }
  const config = configBlob(layers);
  const manifest = imageManifest(config, layerBlobs);
  const manifestBlob = { data: manifest, digest: sha256(manifest) };
  for (const blob of [...layerBlobs, config, manifestBlob]) await write(blob);
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: manifestBlob.digest,
          size: manifest.length,
          annotations: { "org.opencontainers.image.ref.name": tag },
        },
      ],
    }),
  );
  const bytes = layerBlobs.reduce((sum, l) => sum + l.data.length, 0) + config.data.length + manifest.length;
  return { dir, tag, layers, bytes };
}
