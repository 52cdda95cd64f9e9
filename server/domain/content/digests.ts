// Content digests: the algorithms we accept and hashing helpers.
import { createHash, type Hash } from "node:crypto";
import { DomainError } from "../errors.ts";

export type DigestAlgorithm = "sha256" | "sha512";

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
/** The general digest grammar of the OCI image spec. */
const GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

export function looksLikeDigest(value: string): boolean {
  return GRAMMAR.test(value);
}

/** Parses a digest, throwing DIGEST_INVALID for malformed ones and unsupported algorithms. */
export function parseDigest(value: string): ParsedDigest {
  const colon = value.indexOf(":");
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  if (colon < 0 || !GRAMMAR.test(value)) {
    throw new DomainError("DIGEST_INVALID", "invalid digest", { digest: value });
  }
  if (algorithm !== "sha256" && algorithm !== "sha512") {
    throw new DomainError("DIGEST_INVALID", `unsupported digest algorithm "${algorithm}"`, { digest: value });
  }
  if (hex.length !== HEX_LENGTH[algorithm] || !/^[a-f0-9]+$/.test(hex)) {
    throw new DomainError("DIGEST_INVALID", "invalid digest", { digest: value });
  }
  return { algorithm, hex };
}

export function hasher(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}
