// A robot's login in the forms clients read: login commands, a Docker config.json, a Kubernetes
// pull secret (type kubernetes.io/dockerconfigjson) and the Mesos tarball holding the config.
import type { RobotCredentials } from "../../views/pages/robot.tsx";
import { tarGz } from "./tar-gz.ts";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** `~/.docker/config.json` with this one login. */
export function dockerConfig(host: string, username: string, token: string): string {
  return `${JSON.stringify({ auths: { [host]: { auth: b64(`${username}:${token}`), email: "" } } }, null, 2)}\n`;
}

/** Kubernetes object names: lowercase letters, digits, '-' and '.'. */
const secretName = (username: string) => `${username.replace(/[^a-z0-9.-]/g, "-")}-pull-secret`;

export function robotCredentials(host: string, username: string, token: string): RobotCredentials {
  const name = secretName(username);
  const kubernetesSecret = [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `  name: ${name}`,
    "data:",
    `  .dockerconfigjson: ${b64(dockerConfig(host, username, token))}`,
    "type: kubernetes.io/dockerconfigjson",
    "",
  ].join("\n");
  return {
    token,
    dockerLogin: `docker login -u='${username}' -p='${token}' ${host}`,
    podmanLogin: `podman login -u='${username}' -p='${token}' ${host}`,
    dockerConfig: dockerConfig(host, username, token),
    kubernetesSecret,
    kubernetesFile: `${name}.yml`,
  };
}

/** What Mesos fetches: `.docker/config.json` in a tar.gz. */
export const mesosTarball = (host: string, username: string, token: string, now: Date) =>
  tarGz({ ".docker/config.json": dockerConfig(host, username, token) }, now);
