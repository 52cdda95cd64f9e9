// Runs queued log exports (server/domain/activity/log-export.ts): the file, then the link to the
// callback URL or the e-mail address. One namespace's exports run one after the other. The same
// queue removes each file once its link has expired (a job held back until then).
import { instanceSecret } from "../server/auth/instance-secrets.ts";
import { logView } from "../server/api/logs.ts";
import {
  expiredFileJob,
  LOG_EXPORT_LINK_KEY,
  LOG_EXPORT_QUEUE,
  type LogExportJob,
  runLogExport,
} from "../server/domain/activity/log-export.ts";
import { mailer } from "../server/mail.ts";
import type { JobDefinition } from "./index.ts";

export const logExport: JobDefinition = {
  queue: LOG_EXPORT_QUEUE,
  // Quay gives an export two hours at most; a callback that failed is tried again.
  expireInSeconds: 2 * 3600,
  retryLimit: 3,
  async handle(deps, data) {
    const expired = (data as { expiredFile?: string }).expiredFile;
    if (expired) return deps.store.deleteUpload(expired);
    const file = await runLogExport(
      {
        db: deps.db,
        store: deps.store,
        clock: deps.clock,
        linkKey: await instanceSecret(deps.db, LOG_EXPORT_LINK_KEY),
        allowedHosts: deps.config.ssrfAllowedHosts,
        sendMail: mailer(deps.config),
        view: logView,
      },
      data as LogExportJob,
    );
    const cleanup = expiredFileJob(file);
    await deps.jobs?.send(LOG_EXPORT_QUEUE, cleanup.data, cleanup.options);
  },
};
