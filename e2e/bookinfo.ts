// A Bookinfo-shaped namespace (e2e/fixtures/bookinfo.yaml) in the shared e2e sandbox, created
// by the specs that need a mesh other than the seed's. `kubectl apply` is idempotent, so every
// spec may call it; the namespace stays for the rest of the run.
import { kubectl } from './kube';

export const BOOKINFO = 'bookinfo';

export function ensureBookinfo(): void {
  kubectl('apply', '-f', 'e2e/fixtures/bookinfo.yaml');
}
