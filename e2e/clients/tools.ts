// Helpers for tests that drive real registry clients (podman, buildah, skopeo, curl) against a
// Quayside on 127.0.0.1: running commands with timeouts, isolated container storage per test,
// registry tokens, and OCI layouts written by hand.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { basic } from "../support/registry-client.ts";
import type { TestServer } from "../support/test-app.ts";

export const sha256 = (data: Uint8Array | string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Milliseconds before the command is killed (default 60 s). */
  timeout?: number;
  input?: string;
  cwd?: string;
}

/** Runs a command to completion; never throws for a non-zero exit (see `runOk`). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        env: { ...process.env, ...options.env },
        timeout: options.timeout ?? 60_000,
        killSignal: "SIGKILL",
        maxBuffer: 64 * 1024 * 1024,
        cwd: options.cwd,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code === "string") {
          reject(new Error(`${command} could not be run: ${err.message}`));
          return;
        }
        if (err?.killed) {
          reject(new Error(`${command} ${args.join(" ")} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
          return;
        }
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs a command and throws (with its output) unless it exits 0. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  return result;
}

/**
 * Throws unless every command is on PATH. Missing tools fail the suite loudly: these tests
 * must never be skipped quietly (`bash e2e/provision.sh` installs them).
 */
export function requireTools(...commands: string[]): void {
  const missing = commands.filter((c) => {
    try {
      execFileSync("sh", ["-c", `command -v ${c}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(`required tools missing: ${missing.join(", ")} — run \`bash e2e/provision.sh\` as root`);
  }
}

/** The statically linked busybox from Debian's busybox-static, for a rootfs with a shell. */
export function staticBusybox(): string {
  requireTools("busybox", "file");
  const path = execFileSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).trim();
  const description = execFileSync("file", ["-L", path], { encoding: "utf8" });
  if (!description.includes("statically linked")) {
    throw new Error(`${path} is not statically linked (${description.trim()}): install busybox-static`);
  }
  return path;
}

/**
 * Container storage, run state, temp files, auth file and registries.conf of its own, so
 * podman/buildah/skopeo neither see nor touch the machine's (or another test's) images.
 */
export class ClientSandbox {
  private constructor(
    readonly dir: string,
    /** Where credentials from `podman login` go and are read from. */
    readonly authFile: string,
  ) {}

  /** A fresh sandbox; `authFile` shares another sandbox's logins (a clean machine, same user). */
  static async create(options: { authFile?: string } = {}): Promise<ClientSandbox> {
    const dir = await mkdtemp(join(tmpdir(), "quayside-clients-"));
    for (const sub of ["root", "runroot", "tmp", "libpod-tmp"]) await mkdir(join(dir, sub));
    await writeFile(join(dir, "registries.conf"), "unqualified-search-registries = []\n");
    const authFile = options.authFile ?? join(dir, "auth.json");
    // Clients refuse to start when REGISTRY_AUTH_FILE names a file that does not exist.
    if (!options.authFile) await writeFile(authFile, JSON.stringify({ auths: {} }));
    return new ClientSandbox(dir, authFile);
  }

  get env(): Record<string, string> {
    return {
      REGISTRY_AUTH_FILE: this.authFile,
      CONTAINERS_REGISTRIES_CONF: join(this.dir, "registries.conf"),
      TMPDIR: join(this.dir, "tmp"),
      NO_COLOR: "1",
    };
  }

  private storageFlags(): string[] {
    return ["--root", join(this.dir, "root"), "--runroot", join(this.dir, "runroot"), "--storage-driver", "vfs"];
  }

  podman(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const global = [
      ...this.storageFlags(),
      "--tmpdir",
      join(this.dir, "libpod-tmp"),
      "--events-backend",
      "none",
      "--cgroup-manager",
      "cgroupfs",
    ];
    return run("podman", [...global, ...args], { ...options, env: { ...this.env, ...options.env } });
  }

  buildah(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run("buildah", [...this.storageFlags(), ...args], { ...options, env: { ...this.env, ...options.env } });
  }

  skopeo(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run("skopeo", args, { ...options, env: { ...this.env, ...options.env } });
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Fails with the command's output unless it succeeded. */
export function ok(result: RunResult, what: string): RunResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

/** A token from the server's /v2/auth for the given scopes (anonymous without credentials). */
export async function registryToken(
  server: TestServer,
  credentials: { username: string; password: string } | undefined,
  ...scopes: string[]
): Promise<string> {
  const params = new URLSearchParams({ service: server.host });
  for (const s of scopes) params.append("scope", s);
  const headers: Record<string, string> = {};
  if (credentials) headers.authorization = basic(credentials.username, credentials.password);
  const res = await fetch(`http://${server.host}/v2/auth?${params}`, { headers });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** GET (or another method) on the server with a bearer token. */
export function v2(server: TestServer, path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return fetch(`http://${server.host}${path}`, { ...init, headers });
}

// ---------------------------------------------------------------------------------------------
// OCI layouts by hand

export const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  empty: "application/vnd.oci.empty.v1+json",
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** A POSIX tar holding regular files (enough for a tiny layer). */
export function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const content = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${content.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write("0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** An OCI image layout directory being written: blobs first, then `index.json`. */
export class OciLayout {
  private readonly refs: Descriptor[] = [];
  constructor(readonly dir: string) {}

  static async create(dir: string): Promise<OciLayout> {
    await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
    await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    return new OciLayout(dir);
  }

  async blob(data: Buffer | string, mediaType: string): Promise<Descriptor> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const digest = sha256(bytes);
    await writeFile(join(this.dir, "blobs", "sha256", digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  /** A one-layer image for a platform; returns its descriptor (platform set) and raw bytes. */
  async image(arch: string, text: string): Promise<{ descriptor: Descriptor; raw: string }> {
    const layerTar = tarOf({ [`${arch}.txt`]: text });
    const layer = await this.blob(gzipSync(layerTar), MEDIA.layerGzip);
    const config = await this.blob(
      JSON.stringify({
        architecture: arch,
        os: "linux",
        config: {},
        rootfs: { type: "layers", diff_ids: [sha256(layerTar)] },
      }),
      MEDIA.config,
    );
    const raw = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [layer] });
    const descriptor = await this.blob(raw, MEDIA.manifest);
    return { descriptor: { ...descriptor, platform: { architecture: arch, os: "linux" } }, raw };
  }

  async index(children: Descriptor[]): Promise<{ descriptor: Descriptor; raw: string }> {
    const raw = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: children });
    return { descriptor: await this.blob(raw, MEDIA.index), raw };
  }

  /** An artifact manifest (empty config, one layer) whose subject is `subject`. */
  async artifact(
    artifactType: string,
    layer: { mediaType: string; content: string },
    subject: Descriptor,
  ): Promise<{ descriptor: Descriptor; raw: string }> {
    const config = await this.blob("{}", MEDIA.empty);
    const payload = await this.blob(layer.content, layer.mediaType);
    const { platform: _platform, ...subjectDescriptor } = subject;
    const raw = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      artifactType,
      config,
      layers: [payload],
      subject: subjectDescriptor,
      annotations: { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" },
    });
    return { descriptor: await this.blob(raw, MEDIA.manifest), raw };
  }

  /** Names `descriptor` in index.json under `tag`. */
  ref(descriptor: Descriptor, tag: string): void {
    this.refs.push({ ...descriptor, annotations: { "org.opencontainers.image.ref.name": tag } });
  }

  async commit(): Promise<void> {
    await writeFile(
      join(this.dir, "index.json"),
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: this.refs }),
    );
  }
}

/** Contents of `path` inside the layers a sandbox has stored (vfs keeps each layer as a plain tree). */
export async function storedFile(sandbox: ClientSandbox, path: string): Promise<string | undefined> {
  const layers = join(sandbox.dir, "root", "vfs", "dir");
  for (const layer of await readdir(layers).catch(() => [] as string[])) {
    const text = await readFile(join(layers, layer, path), "utf8").catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}
