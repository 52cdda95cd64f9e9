// Flushing to stable storage, so that bytes a committed row names survive a power cut. Both go
// through a read-only handle (FileHandle sync works so on Node and Deno alike, for files and
// directories). One object, so a test can watch the order in which a commit syncs, renames and
// records.
import { type FileHandle, open } from "node:fs/promises";

async function withReadHandle(path: string, work: (handle: FileHandle) => Promise<void>): Promise<void> {
  const handle = await open(path, "r");
  try {
    await work(handle);
  } finally {
    await handle.close();
  }
}

export const diskSync = {
  /** A file's bytes and size (what reading it back needs). */
  file: (path: string): Promise<void> => withReadHandle(path, (file) => file.datasync()),
  /** A directory's entries: a name just linked or renamed into it. */
  directory: (path: string): Promise<void> => withReadHandle(path, (dir) => dir.sync()),
};
