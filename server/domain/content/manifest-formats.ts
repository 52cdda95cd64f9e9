// Reading manifest bodies: OCI image manifest and index, Docker schema 2 manifest and
// manifest list, Docker schema 1 (signed and unsigned). Pure functions: bytes in, facts out.
import { flattenedVerify, importJWK, type JWK } from "jose";
import { z } from "zod";
import { type DigestAlgorithm, digestOf, parseDigest } from "./digests.ts";
import { DomainError } from "../errors.ts";
import { duplicateKey } from "./json-keys.ts";

export const MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerSchema1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerSchema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
} as const;

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
const IMAGE_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);
const SCHEMA1_TYPES = new Set<string>([MEDIA_TYPES.dockerSchema1, MEDIA_TYPES.dockerSchema1Signed]);
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([...INDEX_TYPES, ...IMAGE_TYPES, ...SCHEMA1_TYPES]);

/** Layers a registry is not expected to hold (Windows base layers, non-distributable content). */
const FOREIGN_LAYER = /(\.foreign\.|\.nondistributable\.)/;

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Record<string, unknown>;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  digest: string;
  isIndex: boolean;
  config?: Descriptor;
  /** Layers to be found in the repository (foreign layers left out). */
  layers: Descriptor[];
  /** Every layer, foreign ones included, in order. */
  allLayers: Descriptor[];
  children: Descriptor[];
  /** False for schema 1, whose layers carry no sizes (the stored blobs' are taken). */
  sizesDeclared: boolean;
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const digestString = z.string().refine((d) => {
  try {
    parseDigest(d);
    return true;
  } catch {
    return false;
  }
}, "unsupported or malformed digest");

const annotations = z.record(z.string(), z.string()).optional();

const descriptor = z.object({
  mediaType: z.string().min(1),
  digest: digestString,
  size: z.number().int().nonnegative(),
  artifactType: z.string().optional(),
  annotations,
  platform: z.record(z.string(), z.unknown()).optional(),
  urls: z.array(z.string()).optional(),
});

const imageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor),
  subject: descriptor.optional(),
  annotations,
});

const imageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptor),
  subject: descriptor.optional(),
  annotations,
});

/** A schema 1 manifest's signed payload: what its digest and signatures cover. */
const schema1 = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  tag: z.string(),
  fsLayers: z.array(z.object({ blobSum: digestString })).min(1),
  history: z.array(z.object({ v1Compatibility: z.string() })),
});

/** The signatures around a schema 1 payload (libtrust's "pretty" JWS). */
const schema1Signatures = z.object({
  signatures: z
    .array(z.object({ header: z.object({ jwk: z.record(z.string(), z.unknown()), alg: z.string() }), signature: z.string(), protected: z.string() }))
    .optional(),
});
type Schema1Signature = NonNullable<z.infer<typeof schema1Signatures>["signatures"]>[number];

const invalid = (message: string, detail?: unknown) => new DomainError("MANIFEST_INVALID", message, detail);

/** A JSON object read one way only: a key repeated in any object is refused (see json-keys.ts). */
function parseJson(bytes: Uint8Array): Record<string, unknown> {
  let text = "";
  let value: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    // not UTF-8 or not JSON: refused below
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("manifest is not a JSON object");
  const repeated = duplicateKey(text);
  if (repeated !== undefined) throw invalid(`manifest has a duplicate key "${repeated}"`, { key: repeated });
  return value as Record<string, unknown>;
}

function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw invalid(`manifest invalid: ${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return result.data;
}

/** Which media type a pushed body has: the Content-Type when it names one, else the body's own field. */
function resolveMediaType(contentType: string | undefined, body: Record<string, unknown>): string {
  const declared = contentType?.split(";")[0]!.trim().toLowerCase();
  const inBody = typeof body.mediaType === "string" ? body.mediaType : undefined;
  if (declared && MANIFEST_MEDIA_TYPES.has(declared)) {
    if (inBody !== undefined && inBody !== declared && !SCHEMA1_TYPES.has(declared)) {
      throw invalid(`mediaType "${inBody}" does not match Content-Type "${declared}"`);
    }
    return declared;
  }
  if (inBody && MANIFEST_MEDIA_TYPES.has(inBody)) return inBody;
  if (body.schemaVersion === 1) return body.signatures ? MEDIA_TYPES.dockerSchema1Signed : MEDIA_TYPES.dockerSchema1;
  if (body.schemaVersion === 2 && Array.isArray(body.manifests)) return MEDIA_TYPES.ociIndex;
  if (body.schemaVersion === 2 && body.config) return MEDIA_TYPES.ociManifest;
  throw invalid(`unsupported manifest media type "${declared ?? inBody ?? "(none)"}"`);
}

/** The bytes a schema 1 digest covers: the manifest without its signatures (libtrust's "payload"). */
function schema1Payload(bytes: Uint8Array, signatures: Schema1Signature[]): Uint8Array {
  const first = signatures[0];
  if (!first) return bytes;
  let header: { formatLength?: unknown; formatTail?: unknown };
  try {
    header = JSON.parse(Buffer.from(first.protected, "base64url").toString("utf8"));
  } catch {
    throw invalid("schema 1 signature has an unreadable protected header");
  }
  const { formatLength, formatTail } = header;
  if (typeof formatLength !== "number" || typeof formatTail !== "string" || formatLength > bytes.length) {
    throw invalid("schema 1 signature has no formatLength/formatTail");
  }
  return Buffer.concat([bytes.subarray(0, formatLength), Buffer.from(formatTail, "base64url")]);
}

async function verifySchema1Signatures(payload: Uint8Array, signatures: Schema1Signature[]): Promise<void> {
  const encodedPayload = Buffer.from(payload).toString("base64url");
  for (const sig of signatures) {
    try {
      const key = await importJWK(sig.header.jwk as JWK, sig.header.alg);
      // libtrust puts `alg` and the key in the unprotected header, hence the flattened form.
      await flattenedVerify(
        { protected: sig.protected, header: { alg: sig.header.alg }, payload: encodedPayload, signature: sig.signature },
        key,
      );
    } catch {
      throw invalid("schema 1 manifest signature does not verify");
    }
  }
}

/**
 * Parses and validates a pushed manifest. `algorithm` is the digest algorithm to name it by
 * (the one in the pushed reference, sha256 otherwise).
 */
export async function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
  algorithm: DigestAlgorithm = "sha256",
): Promise<ParsedManifest> {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    throw new DomainError("MANIFEST_TOO_LARGE", `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  const body = parseJson(bytes);
  const mediaType = resolveMediaType(contentType, body);

  if (SCHEMA1_TYPES.has(mediaType)) {
    const signatures = check(schema1Signatures, body).signatures ?? [];
    if (mediaType === MEDIA_TYPES.dockerSchema1Signed && !signatures.length) {
      throw invalid("signed schema 1 manifest has no signatures");
    }
    const payload = schema1Payload(bytes, signatures);
    await verifySchema1Signatures(payload, signatures);
    // Everything is read from what the digest and signatures cover, never from the rest.
    const m = check(schema1, payload === bytes ? body : parseJson(payload));
    // fsLayers lists the top layer first; keep base-first order like schema 2.
    const layers = [...m.fsLayers].reverse().map((l) => ({
      mediaType: "application/vnd.docker.container.image.rootfs.diff+x-gtar",
      digest: l.blobSum,
      size: 0,
    }));
    const unique = [...new Map(layers.map((l) => [l.digest, l])).values()];
    return {
      mediaType,
      digest: digestOf(payload, algorithm),
      isIndex: false,
      layers: unique,
      allLayers: layers,
      children: [],
      sizesDeclared: false,
    };
  }

  const digest = digestOf(bytes, algorithm);
  if (INDEX_TYPES.has(mediaType)) {
    const m = check(imageIndex, body);
    return {
      mediaType,
      digest,
      isIndex: true,
      layers: [],
      allLayers: [],
      children: m.manifests,
      sizesDeclared: true,
      subject: m.subject,
      artifactType: m.artifactType,
      annotations: m.annotations,
    };
  }
  const m = check(imageManifest, body);
  return {
    mediaType,
    digest,
    isIndex: false,
    config: m.config,
    layers: m.layers.filter((l) => !(FOREIGN_LAYER.test(l.mediaType) && l.urls?.length)),
    allLayers: m.layers,
    children: [],
    sizesDeclared: true,
    subject: m.subject,
    artifactType: m.artifactType,
    annotations: m.annotations,
  };
}

/** The artifact type a referrers listing reports for a manifest. */
export function effectiveArtifactType(m: { artifactType?: string | null; configMediaType?: string | null }) {
  return m.artifactType ?? m.configMediaType ?? undefined;
}
