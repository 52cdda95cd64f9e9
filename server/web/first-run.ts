// Whether the instance still needs its first account (the setup page). Once someone exists the
// answer stays "no" for the life of the process, so busy pages stop asking the database.
import type { AppDeps } from "../deps.ts";
import { countUsers } from "../domain/accounts/users.ts";

export interface FirstRun {
  needed(): Promise<boolean>;
  /** Called after an account is created here, to skip the next count. */
  done(): void;
}

export function firstRun(deps: AppDeps): FirstRun {
  let someoneExists = false;
  return {
    async needed() {
      if (!deps.config.features.userInitialize || someoneExists) return false;
      someoneExists = (await countUsers(deps.db)) > 0;
      return !someoneExists;
    },
    done() {
      someoneExists = true;
    },
  };
}
