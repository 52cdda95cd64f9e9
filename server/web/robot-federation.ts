// Quay's robot identity federation exchange, `GET /oauth2/federation/robot/token`: Basic
// `<owner>+<robot>:<OIDC ID token>` answers `{token}`, an hour-long token that is the robot's
// registry password. Refusals as Quay's: 401 `{error}` without a robot to speak of, 400
// `{message}` for a token the robot does not trust.
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { federatedRobotLogin, isRobotName } from "../domain/accounts/robots.ts";
import { DomainError } from "../domain/errors.ts";
import { parseBasic } from "../auth/basic-credentials.ts";
import { issueFederatedRobotToken } from "../auth/federated-robot-tokens.ts";
import { clientIp } from "../client-ip.ts";
import type { WebEnv } from "./session.ts";

export function robotFederation(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.get("/oauth2/federation/robot/token", async (c) => {
    const basic = parseBasic(c.req.header("authorization"));
    if (!basic || !isRobotName(basic.username)) return c.json({ error: "missing auth" }, 401);
    try {
      const robot = await federatedRobotLogin(deps.db, { username: basic.username, idToken: basic.password, ip: clientIp(c, deps.config) });
      return c.json({ token: await issueFederatedRobotToken(deps.tokens, robot) });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === "UNAUTHENTICATED") return c.json({ error: err.message }, 401);
      return c.json({ message: err.message }, 400);
    }
  });
  return app;
}
