// Repository notifications (Quay's §13), all for the repository's admins (repo:admin): list and
// create (`…/notification/`), read, delete and reset one (`…/notification/{uuid}`), queue a test
// delivery (`…/notification/{uuid}/test`). And the authorization of e-mail addresses
// (`…/authorizedemail/{email}`: read, or mail a confirmation link), which exists only with mail
// configured (Quay's MAILING).
import { z } from "zod";
import { queueTestNotification } from "../domain/notifications/delivery.ts";
import { findAuthorizedEmail, requestEmailAuthorization } from "../domain/notifications/authorized-emails.ts";
import type { RepositoryNotification } from "../domain/notifications/catalog.ts";
import {
  createNotification,
  deleteNotification,
  findNotification,
  listNotifications,
  notificationOrRefusal,
  resetNotificationFailures,
} from "../domain/notifications/notifications.ts";
import type { RepoRef } from "../domain/names.ts";
import type { Repository } from "../domain/repositories/repositories.ts";
import { mailEmailAuthorization, mailer } from "../mail.ts";
import { baseUrl } from "../registry/deps.ts";
import { authorizeExistingRepository } from "./auth.ts";
import { NOT_FOUND_MESSAGE, notFound, PlainError } from "./errors.ts";
import { jsonBody } from "./input.ts";
import type { ApiRequest } from "./request.ts";

type RepoRouteHandler = (r: ApiRequest, ref: RepoRef, names: string[]) => Promise<Response>;

const notificationBody = z.object({
  event: z.string(),
  method: z.string(),
  config: z.record(z.string(), z.unknown()),
  eventConfig: z.record(z.string(), z.unknown()),
  title: z.string().nullish(),
});

/** Quay's notification object (note `event_config` here, `eventConfig` in the create request). */
export const notificationView = (n: RepositoryNotification) => ({
  uuid: n.uuid,
  title: n.title,
  event: n.event,
  method: n.method,
  config: n.config,
  event_config: n.eventConfig,
  number_of_failures: n.numberOfFailures,
});

const administered = async (r: ApiRequest, ref: RepoRef): Promise<Repository> =>
  (await authorizeExistingRepository(r.deps, r.caller, ref, "admin")).repo;

const list: RepoRouteHandler = async (r, ref) => {
  const notifications = await listNotifications(r.deps.db, (await administered(r, ref)).id);
  return r.c.json({ notifications: notifications.map(notificationView) });
};

const create: RepoRouteHandler = async (r, ref) => {
  const repo = await administered(r, ref);
  const body = await jsonBody(r.c, notificationBody);
  const created = await createNotification(r.deps, repo, body, r.actor, r.deps.config.ssrfAllowedHosts);
  return r.c.json(notificationView(created), 201);
};

const get: RepoRouteHandler = async (r, ref, [uuid]) => {
  const found = await findNotification(r.deps.db, (await administered(r, ref)).id, uuid!);
  if (!found) throw notFound();
  return r.c.json(notificationView(found));
};

const remove: RepoRouteHandler = async (r, ref, [uuid]) => {
  await deleteNotification(r.deps, await administered(r, ref), uuid!, r.actor);
  return r.c.body(null, 204);
};

const reset: RepoRouteHandler = async (r, ref, [uuid]) => {
  await resetNotificationFailures(r.deps, await administered(r, ref), uuid!, r.actor);
  return r.c.body(null, 204);
};

const test: RepoRouteHandler = async (r, ref, [uuid]) => {
  const notification = await notificationOrRefusal(r.deps.db, await administered(r, ref), uuid!);
  await queueTestNotification(r.deps, notification, baseUrl(r.deps.config, r.c));
  return r.c.json({});
};

/** The mailer, or Flask's 404 where Quay hides the authorized-email endpoint without MAILING. */
function mailOrHidden(r: ApiRequest) {
  const send = mailer(r.deps.config);
  if (!send) throw new PlainError(404, { message: NOT_FOUND_MESSAGE });
  return send;
}

const getAuthorizedEmail: RepoRouteHandler = async (r, ref, [email]) => {
  mailOrHidden(r);
  const record = await findAuthorizedEmail(r.deps.db, await administered(r, ref), email!);
  if (!record) throw new PlainError(404, { message: NOT_FOUND_MESSAGE });
  return r.c.json(record);
};

const authorizeEmail: RepoRouteHandler = async (r, ref, [email]) => {
  const send = mailOrHidden(r);
  const repo = await administered(r, ref);
  const { record, code } = await requestEmailAuthorization(r.deps.db, repo, email!);
  if (code) await mailEmailAuthorization(send, baseUrl(r.deps.config, r.c), email!, `${repo.namespace}/${repo.name}`, code);
  return r.c.json(record);
};

/** Routes under /repository/, most specific first. */
export const NOTIFICATION_ROUTES: { pattern: RegExp; methods: Record<string, RepoRouteHandler> }[] = [
  { pattern: /^(.+)\/notification\/$/, methods: { GET: list, POST: create } },
  { pattern: /^(.+)\/notification\/([^/]+)\/test$/, methods: { POST: test } },
  { pattern: /^(.+)\/notification\/([^/]+)$/, methods: { GET: get, DELETE: remove, POST: reset } },
  { pattern: /^(.+)\/authorizedemail\/([^/]+)$/, methods: { GET: getAuthorizedEmail, POST: authorizeEmail } },
];
