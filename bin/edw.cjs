#!/usr/bin/env node
// The edw command: runs the bundled CLI built by `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'edw.cjs');
if (!fs.existsSync(entry)) {
  process.stderr.write(
    'edw is not built yet: run `npm run build` in ' + path.join(__dirname, '..') + '\n',
  );
  process.exit(1);
}
require(entry);
