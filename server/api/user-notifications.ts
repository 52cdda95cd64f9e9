// Quay's user notifications (the bell's API): `GET /api/v1/user/notifications` (newest first,
// `page` and `limit`, dismissed ones left out, `additional` when more follow) and
// `GET/PUT /api/v1/user/notifications/{uuid}` (PUT sets `dismissed`). user:admin, as in Quay.
import type { Hono } from "hono";
import { z } from "zod";
import type { User } from "../domain/accounts/users.ts";
import { findInApp, type InAppNotification, listInApp, setDismissed, type Viewer } from "../domain/notifications/in-app.ts";
import { accountAdmin } from "./app-tokens.ts";
import { rfc2822 } from "./dates.ts";
import { notFound } from "./errors.ts";
import { intParam, jsonBody } from "./input.ts";
import type { ApiEnv, ApiHandler, ApiRoute } from "./request.ts";

/** Quay's default page size; a page is never longer than the maximum. */
const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 100;

const viewerOf = (user: User): Viewer => ({ userId: user.id, namespaceId: user.namespaceId });

function notificationView(note: InAppNotification) {
  return {
    id: note.uuid,
    organization: note.organization,
    kind: note.kind,
    created: rfc2822(note.createdAt),
    metadata: note.metadata,
    dismissed: note.dismissed,
  };
}

const list: ApiHandler = async ({ deps, c, caller }) => {
  const viewer = viewerOf(accountAdmin(caller));
  const page = intParam(c, "page", 0, "Offset page number. (int)");
  const limit = Math.min(Math.max(intParam(c, "limit", DEFAULT_LIMIT, "Limit on the number of results (int)"), 0), MAX_LIMIT);
  // Quay's pages count from 1 (0 is the first page too); one row more tells whether others follow.
  const rows = await listInApp(deps.db, viewer, { offset: Math.max(page - 1, 0) * limit, limit: limit + 1 });
  return c.json({ notifications: rows.slice(0, limit).map(notificationView), additional: rows.length > limit });
};

const getOne: ApiHandler = async ({ deps, c, caller }) => {
  const note = await findInApp(deps.db, viewerOf(accountAdmin(caller)), c.req.param("uuid")!);
  if (!note) throw notFound();
  return c.json(notificationView(note));
};

const updateBody = z.object({ dismissed: z.boolean().optional() });

const update: ApiHandler = async ({ deps, c, caller }) => {
  const viewer = viewerOf(accountAdmin(caller));
  // Quay reads a missing `dismissed` as false: a PUT without it brings the notification back.
  const { dismissed = false } = await jsonBody(c, updateBody);
  const note = await setDismissed(deps.db, viewer, c.req.param("uuid")!, dismissed);
  if (!note) throw notFound();
  return c.json(notificationView(note));
};

export function mountUserNotificationRoutes(api: Hono<ApiEnv>, route: ApiRoute, notAllowed: () => never): void {
  api.get("/user/notifications", route(list));
  api.all("/user/notifications", notAllowed);
  api.get("/user/notifications/:uuid", route(getOne));
  api.put("/user/notifications/:uuid", route(update));
  api.all("/user/notifications/:uuid", notAllowed);
}
