// `repo_image_expiry`: a scheduled scan (jobs/image-expiry-notifications.ts) tells each enabled
// notification of the event about the live tags of its repository that expire within its `days`.
// Each tag is told once per notification, as Quay's TagNotificationSuccess: every (notification,
// tag) told is kept in tag_expiry_notices, so a tag whose expiry is moved into the window later,
// or a notification made later, is still told, and nothing twice.
import { sql } from "drizzle-orm";
import { namespaces, repositories, repositoryNotifications, tagExpiryNotices, tags } from "../../../db/schema.ts";
import type { Clock } from "../clock.ts";
import { emitRepositoryEvent, type EmitServices } from "./delivery.ts";
import { imageExpiryData } from "./events.ts";

/** Scans on several workers take turns (a transaction-scoped advisory lock). */
const IMAGE_EXPIRY_SCAN_LOCK = 7_326_412;

interface ExpiringRow extends Record<string, unknown> {
  notification_id: number;
  repository_id: number;
  days: number;
  namespace: string;
  name: string;
  tags: string[];
  tag_ids: string[];
}

/** Runs one scan; the number of events queued. */
export async function notifyExpiringTags(svc: EmitServices & { clock: Clock; siteUrl: string }): Promise<number> {
  const at = svc.clock.now().toISOString();
  return svc.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${IMAGE_EXPIRY_SCAN_LOCK})`);
    const n = repositoryNotifications;
    const days = sql`(case when ${n.eventConfig}->>'days' ~ '^[0-9]{1,5}$' then (${n.eventConfig}->>'days')::int end)`;
    const found = await tx.execute<ExpiringRow>(sql`
      select ${n.id} as notification_id, ${n.repositoryId} as repository_id, ${days} as days,
             ${namespaces.name} as namespace, ${repositories.name} as name,
             array_agg(${tags.name} order by ${tags.name}) as tags, array_agg(${tags.id}) as tag_ids
      from ${n}
      join ${repositories} on ${repositories.id} = ${n.repositoryId}
      join ${namespaces} on ${namespaces.id} = ${repositories.namespaceId}
      join ${tags} on ${tags.repositoryId} = ${n.repositoryId}
        and ${tags.lifetimeEnd} is null and not ${tags.hidden}
        and ${tags.expiresAt} > ${at}::timestamptz and ${tags.expiresAt} <= ${at}::timestamptz + make_interval(days => ${days})
      where ${n.event} = 'repo_image_expiry' and ${n.numberOfFailures} < ${svc.config.notificationFailureLimit}
        and ${days} > 0
        and not exists (select 1 from ${tagExpiryNotices} e where e.notification_id = ${n.id} and e.tag_id = ${tags.id})
      group by ${n.id}, ${namespaces.name}, ${repositories.name}`);
    let queued = 0;
    for (const row of found) {
      const data = imageExpiryData({ siteUrl: svc.siteUrl, namespace: row.namespace, name: row.name }, { tags: row.tags, days: row.days });
      const sent = await emitRepositoryEvent(svc, { repositoryId: row.repository_id, event: "repo_image_expiry", data, notificationId: row.notification_id });
      // Not queued (the queue failed): left untold, so the next scan tries again.
      if (sent === 0) continue;
      queued += sent;
      const told = row.tag_ids.map((tagId) => ({ notificationId: row.notification_id, tagId: Number(tagId) }));
      await tx.insert(tagExpiryNotices).values(told).onConflictDoNothing();
    }
    return queued;
  });
}
