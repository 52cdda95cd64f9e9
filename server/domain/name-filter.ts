// The filter boxes over names (repositories, tags): one rule for every listing, a substring
// match that ignores case, as Quay's `like` filters do.
import { type Column, type SQL, sql } from "drizzle-orm";

/** True (in SQL) when `name` contains `text`, ignoring case. */
export function nameContains(name: Column | SQL, text: string): SQL {
  return sql`strpos(lower(${name}), lower(${text})) > 0`;
}

/** True (in SQL) when `name` starts with `text`, ignoring case (entity look-ups by prefix). */
export function nameStartsWith(name: Column | SQL, text: string): SQL {
  return sql`starts_with(lower(${name}), lower(${text}))`;
}
