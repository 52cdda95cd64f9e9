// Counts a blob store's failures in the metrics (quayside_blob_store_errors_total{operation}),
// whatever the store and whatever methods it grows: every method that answers a promise or an
// async iterable is watched. Losing a race for an upload's bytes (UploadInUseError) is the
// protocol working, not a failure of the store, and is not counted.
import { type BlobStore, UploadInUseError } from "../storage/blob-store.ts";
import { blobStoreErrors } from "./metrics.ts";

type Method = (...args: unknown[]) => unknown;

function count(operation: string, err: unknown): never {
  if (!(err instanceof UploadInUseError)) blobStoreErrors.inc({ operation });
  throw err;
}

async function* countedIteration<T>(operation: string, source: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* source;
  } catch (err) {
    count(operation, err);
  }
}

function counted(operation: string, method: Method, target: BlobStore): Method {
  return (...args) => {
    const result = method.apply(target, args);
    if (result instanceof Promise) return result.catch((err: unknown) => count(operation, err));
    if (result && typeof result === "object" && Symbol.asyncIterator in result) {
      return countedIteration(operation, result as AsyncIterable<unknown>);
    }
    return result;
  };
}

export function countingErrors(store: BlobStore): BlobStore {
  // One wrapper per method, made on first use (blob reads are a hot path).
  const wrapped = new WeakMap<Method, Method>();
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      let method = wrapped.get(value as Method);
      if (!method) wrapped.set(value as Method, (method = counted(String(key), value as Method, target)));
      return method;
    },
  });
}
