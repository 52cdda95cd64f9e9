// Flushing to stable storage, so that bytes a committed row names survive a power cut. FileHandle
// sync works on Node and Deno alike; a directory is synced through a read-only handle. One object,
// so a test can watch the order in which a commit syncs, renames and records.
import { type FileHandle, open } from "node:fs/promises";

export const diskSync = {
  /** The file's bytes and size (what reading it back needs). */
  file(file: FileHandle): Promise<void> {
    return file.datasync();
  },
  /** The directory's entries: a name just linked or renamed into it. */
  async directory(path: string): Promise<void> {
    const dir = await open(path, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  },
};
