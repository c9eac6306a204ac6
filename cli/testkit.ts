// Runs the edw CLI in process for tests, capturing stdout and stderr.
import { run } from './main';

export async function edw(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
