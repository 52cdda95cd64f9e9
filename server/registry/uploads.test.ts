// The registry's upload and blob tests on the filesystem store (the default).
import { uploadsSuite } from "./uploads-suite.ts";

uploadsSuite(() => ({}));
