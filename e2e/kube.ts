// kubectl against the e2e sandbox, as an operator at a terminal would use it.
import { execFileSync } from 'node:child_process';

export const E2E_KUBECONFIG = '.sandbox/e2e/kubeconfig';

export function kubectl(...args: string[]): string {
  return execFileSync('kubectl', ['--context', 'sandbox-admin', ...args], { env: { ...process.env, KUBECONFIG: E2E_KUBECONFIG }, encoding: 'utf8' });
}

export function jsonpath(kind: string, name: string, path: string, namespace = 'ai-nutritionist'): string {
  return kubectl('get', kind, name, '-n', namespace, '-o', `jsonpath={${path}}`);
}
