// `GET /api/v1/registry/capabilities` (anonymous): what clients may push. Sparse manifest lists
// are Quay's FEATURE_SPARSE_INDEX, off by default and not offered here.
import type { Context } from "hono";

/** The architectures Quay's mirroring knows; it answers this list whatever is configured. */
const MIRROR_ARCHITECTURES = ["amd64", "arm64", "ppc64le", "s390x"];

export function capabilitiesHandler(c: Context): Response {
  return c.json({
    sparse_manifests: { supported: false, required_architectures: [], optional_architectures_allowed: false },
    mirror_architectures: MIRROR_ARCHITECTURES,
  });
}
