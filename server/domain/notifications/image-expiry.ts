// `repo_image_expiry`: a scheduled scan (jobs/image-expiry-notifications.ts) tells each enabled
// notification of the event about the live tags of its repository that expire within its `days`.
// Each tag is told once per notification: Quay records every (tag, notification) it told; without
// such a table, the scan remembers when it last ran (instance_settings) and takes only tags that
// entered the window since — their expiry came within `days` after that run, or the tag was
// pushed after it — plus every tag in the window for a notification created since. (A tag whose
// expiry is set, later than its push, to fall already inside the window is not told.)
import { sql } from "drizzle-orm";
import { instanceSettings, namespaces, repositories, repositoryNotifications, tags } from "../../../db/schema.ts";
import type { Clock } from "../clock.ts";
import { emitRepositoryEvent, type EmitServices } from "./delivery.ts";
import { imageExpiryData } from "./events.ts";

/** The instance_settings key holding the end of the last scan (ISO time). */
export const IMAGE_EXPIRY_SCANNED_UNTIL = "notifications.image_expiry_scanned_until";

interface ExpiringRow extends Record<string, unknown> {
  notification_id: number;
  repository_id: number;
  days: number;
  namespace: string;
  name: string;
  tags: string[];
}

/** Runs one scan; the number of events queued. Scans on several workers take turns (the cursor row's lock). */
export async function notifyExpiringTags(svc: EmitServices & { clock: Clock; siteUrl: string }): Promise<number> {
  const now = svc.clock.now();
  const found = await svc.db.transaction(async (tx) => {
    await tx.insert(instanceSettings).values({ key: IMAGE_EXPIRY_SCANNED_UNTIL, value: "" }).onConflictDoNothing();
    const [cursor] = await tx.execute<{ value: string }>(
      sql`select value from ${instanceSettings} where key = ${IMAGE_EXPIRY_SCANNED_UNTIL} for update`,
    );
    const since = cursor?.value || null;
    const at = now.toISOString();
    await tx.execute(sql`update ${instanceSettings} set value = ${at} where key = ${IMAGE_EXPIRY_SCANNED_UNTIL}`);
    const n = repositoryNotifications;
    const days = sql`(case when ${n.eventConfig}->>'days' ~ '^[0-9]{1,5}$' then (${n.eventConfig}->>'days')::int end)`;
    const entered =
      since === null
        ? sql`true`
        : sql`(${n.createdAt} > ${since}::timestamptz or ${tags.lifetimeStart} > ${since}::timestamptz or ${tags.expiresAt} > ${since}::timestamptz + make_interval(days => ${days}))`;
    return tx.execute<ExpiringRow>(sql`
      select ${n.id} as notification_id, ${n.repositoryId} as repository_id, ${days} as days,
             ${namespaces.name} as namespace, ${repositories.name} as name,
             array_agg(${tags.name} order by ${tags.name}) as tags
      from ${n}
      join ${repositories} on ${repositories.id} = ${n.repositoryId}
      join ${namespaces} on ${namespaces.id} = ${repositories.namespaceId}
      join ${tags} on ${tags.repositoryId} = ${n.repositoryId}
        and ${tags.lifetimeEnd} is null and not ${tags.hidden}
        and ${tags.expiresAt} > ${at}::timestamptz and ${tags.expiresAt} <= ${at}::timestamptz + make_interval(days => ${days})
      where ${n.event} = 'repo_image_expiry' and ${n.numberOfFailures} < ${svc.config.notificationFailureLimit}
        and ${days} > 0 and ${entered}
      group by ${n.id}, ${namespaces.name}, ${repositories.name}`);
  });
  let queued = 0;
  for (const row of found) {
    const data = imageExpiryData({ siteUrl: svc.siteUrl, namespace: row.namespace, name: row.name }, { tags: row.tags, days: row.days });
    queued += await emitRepositoryEvent(svc, { repositoryId: row.repository_id, event: "repo_image_expiry", data, notificationId: row.notification_id });
  }
  return queued;
}
