// One Postgres connection pool and the drizzle handle over it.
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema.ts";

export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };
/** A transaction handle; domain functions accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  url: string;
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * drizzle sends every query through `sql.unsafe(text, params, { prepare: false })`, and
 * postgres.js then asks the server to describe each parameterised statement before running it:
 * two round trips per query. Named prepared statements cost that only on a connection's first
 * use of a statement. (Query texts come from drizzle's builders, so their number stays small.)
 */
function preparingStatements(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (text: string, params?: unknown[], options?: object) =>
          target.unsafe(text, params as postgres.ParameterOrJSON<never>[], { ...options, prepare: true });
      }
      if (property === "begin") {
        return (...args: unknown[]) => {
          const run = args.pop() as (tx: postgres.Sql) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args, (tx: postgres.Sql) => run(preparingStatements(tx)));
        };
      }
      if (property === "savepoint") {
        return (...args: unknown[]) => {
          const run = args.pop() as (tx: postgres.Sql) => unknown;
          const savepoint = (target as unknown as { savepoint: (...a: unknown[]) => unknown }).savepoint;
          return savepoint(...args, (tx: postgres.Sql) => run(preparingStatements(tx)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

export function connect(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
  });
  const db = drizzle(preparingStatements(sql), { schema });
  return { url, db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * Runs `work` in a transaction whose BEGIN travels with the first statements `work` sends: the
 * connection is reserved and BEGIN is not awaited, so postgres.js writes them together. One
 * round trip fewer than `db.transaction`, for hot write paths. Statements `work` starts without
 * awaiting each other are pipelined the same way.
 */
export async function pipelinedTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  const connection = await db.$client.reserve();
  try {
    const begun = connection`begin`.execute();
    begun.catch(() => {}); // awaited below
    // No schema: only the query builder is used here, and building the relational config
    // on every call would cost more than the round trip saved.
    // A reserved connection has no options of its own; drizzle reads (and sets) the type parsers
    // there, which the pool's connections share.
    const client = Object.assign(preparingStatements(connection), { options: db.$client.options });
    const tx = drizzle(client) as unknown as Db;
    let result: T;
    try {
      result = await work(tx);
      await begun;
    } catch (err) {
      await connection`rollback`.catch(() => {});
      throw err;
    }
    await connection`commit`;
    return result;
  } finally {
    connection.release();
  }
}
