// docs/deploy: the Compose file and the Kubernetes manifests parse, every environment variable
// they give Quayside is a setting of server/config.ts, what scale-out needs is set (external
// Postgres, S3, a role, one token key), and each node's environment loads as a configuration.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { configEnvironmentVariables, loadConfig } from "../../server/config.ts";
import { projectPath } from "../../server/paths.ts";

type Env = Record<string, string>;

/** What every node of a scaled-out Quayside must be given. */
const REQUIRED = ["DATABASE_URL", "STORAGE", "QUAYSIDE_ROLE", "QUAYSIDE_TOKEN_SIGNING_KEY"];

function expectOnlySettings(node: string, env: Env) {
  const known = new Set(configEnvironmentVariables);
  const unknown = Object.keys(env).filter((name) => !known.has(name));
  expect(unknown, `${node} sets variables server/config.ts does not read`).toEqual([]);
  for (const name of REQUIRED) expect(env[name], `${node} lacks ${name}`).toBeTruthy();
  expect(env.STORAGE, `${node} must keep blobs in the shared bucket`).toMatch(/^s3:\/\//);
  const config = loadConfig(env);
  expect(config.databaseUrl).toBe(env.DATABASE_URL);
  expect(config.storage.kind).toBe("s3");
  return config;
}

describe("docs/deploy/compose.yaml", () => {
  const compose = parse(readFileSync(projectPath("docs/deploy/compose.yaml"), "utf8"), { merge: true }) as {
    services: Record<string, { image?: string; environment?: Env; deploy?: { replicas?: number }; healthcheck?: { test: string[] } }>;
  };
  const quayside = Object.entries(compose.services).filter(([, s]) => s.image === "quayside:latest");

  it("runs two web nodes and a worker on the shared database and bucket", () => {
    const roles = quayside.map(([, s]) => [s.environment?.QUAYSIDE_ROLE, s.deploy?.replicas ?? 1]);
    expect(roles).toEqual([
      ["web", 2],
      ["worker", 1],
    ]);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(["postgres", "minio", "proxy"]));
    for (const [name, service] of quayside) {
      const config = expectOnlySettings(name, service.environment ?? {});
      expect(config.role).toBe(name);
      expect(service.healthcheck?.test.join(" ")).toContain("/health/instance");
    }
  });
});

describe("docs/deploy/kubernetes", () => {
  const dir = projectPath("docs/deploy/kubernetes");
  const objects = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(`${dir}/${f}`, "utf8")).map((d) => d.toJS() as K8sObject));
  const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

  interface K8sObject {
    kind: string;
    metadata: { name: string };
    data?: Env;
    stringData?: Env;
    spec?: { template: { spec: { containers: Container[] } } };
  }
  interface Probe {
    httpGet: { path: string; port: string | number };
  }
  interface Container {
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } }[];
    readinessProbe?: Probe;
    livenessProbe?: Probe;
  }

  /** The container's environment as the pod would see it, values taken from the ConfigMap and Secret. */
  function environment(container: Container): Env {
    const env: Env = {};
    for (const source of container.envFrom ?? []) {
      const from = source.configMapRef ? named("ConfigMap", source.configMapRef.name)?.data : named("Secret", source.secretRef!.name)?.stringData;
      expect(from, "envFrom names an object of these manifests").toBeDefined();
      Object.assign(env, from);
    }
    for (const entry of container.env ?? []) {
      const secret = entry.valueFrom?.secretKeyRef;
      const map = entry.valueFrom?.configMapKeyRef;
      const value = entry.value ?? (secret ? named("Secret", secret.name)?.stringData?.[secret.key] : named("ConfigMap", map!.name)?.data?.[map!.key]);
      expect(value, `${entry.name} resolves to a value`).toBeDefined();
      env[entry.name] = value!;
    }
    return env;
  }

  it("has web and worker Deployments, the web Service and the shared settings", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "ConfigMap/quayside",
      "Deployment/quayside-web",
      "Deployment/quayside-worker",
      "Secret/quayside",
      "Service/quayside",
    ]);
  });

  for (const [deployment, role] of [
    ["quayside-web", "web"],
    ["quayside-worker", "worker"],
  ] as const) {
    it(`${deployment}: only real settings, external Postgres and S3, readiness on /health/instance`, () => {
      const [container] = named("Deployment", deployment)!.spec!.template.spec.containers;
      const config = expectOnlySettings(deployment, environment(container!));
      expect(config.role).toBe(role);
      expect(container!.readinessProbe?.httpGet.path).toBe("/health/instance");
      expect(container!.livenessProbe?.httpGet.path).toBe("/health");
    });
  }
});
