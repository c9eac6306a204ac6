// Entry point of the bundled edw command.
import { run } from './main';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`edw: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
