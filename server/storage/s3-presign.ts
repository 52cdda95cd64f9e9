// Presigned GET URLs (Signature Version 4 in the query string), so a client can fetch a blob
// from the bucket directly. Written here rather than pulling in the SDK's presigner package:
// one request shape, a few HMACs.
import { createHash, createHmac } from "node:crypto";

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where the bucket is and how to address it. */
export interface S3Location {
  bucket: string;
  region: string;
  /** scheme://host[:port] of an S3-compatible server; unset: AWS. */
  endpoint?: string;
  /** Bucket in the path (`host/bucket/key`) instead of the host name (`bucket.host/key`). */
  pathStyle: boolean;
}

/** RFC 3986 encoding, as SigV4 wants it. */
const encode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const encodePath = (path: string) => path.split("/").map(encode).join("/");

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");
const hmac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text).digest();

/** The object's URL, before signing. */
export function objectUrl(location: S3Location, key: string): URL {
  const base = new URL(location.endpoint ?? `https://s3.${location.region}.amazonaws.com`);
  if (!location.pathStyle) base.host = `${location.bucket}.${base.host}`;
  const path = location.pathStyle ? `/${location.bucket}/${key}` : `/${key}`;
  base.pathname = `${base.pathname.replace(/\/$/, "")}${encodePath(path)}`;
  return base;
}

/** A URL that GETs `key` without other credentials for `seconds` from `now`. */
export function presignGet(location: S3Location, credentials: S3Credentials, key: string, seconds: number, now: Date): string {
  const url = objectUrl(location, key);
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${location.region}/s3/aws4_request`;
  const query: [string, string][] = [
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${credentials.accessKeyId}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(seconds)],
    ["X-Amz-SignedHeaders", "host"],
  ];
  if (credentials.sessionToken) query.push(["X-Amz-Security-Token", credentials.sessionToken]);
  const canonicalQuery = query
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join("&");
  const canonicalRequest = ["GET", url.pathname, canonicalQuery, `host:${url.host}`, "", "host", "UNSIGNED-PAYLOAD"].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  let signingKey = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [location.region, "s3", "aws4_request"]) signingKey = hmac(signingKey, part);
  const signature = createHmac("sha256", signingKey).update(stringToSign).digest("hex");
  return `${url.origin}${url.pathname}?${canonicalQuery}&X-Amz-Signature=${signature}`;
}
