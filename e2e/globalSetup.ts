// One demo workspace for the whole e2e run, built by the real CLI before any test file.
import { demoWorkspace } from './harness';

export default function setup(): void {
  process.env.EDW_E2E_DEMO = demoWorkspace('e2e-demo.edw');
}
