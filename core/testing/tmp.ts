// Temporary directories for tests that need real workspace files on disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tmpDir(prefix = 'edw-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
