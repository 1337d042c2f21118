// kubectl against the e2e sandbox, as an operator at a terminal would use it.
import { execFileSync } from 'node:child_process';

export const E2E_KUBECONFIG = '.sandbox/e2e/kubeconfig';

/** kubectl as the sandbox's admin against the sandbox whose kubeconfig is given. */
export function kubectlAt(kubeconfig: string, ...args: string[]): string {
  return execFileSync('kubectl', ['--context', 'sandbox-admin', ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
}

export function kubectl(...args: string[]): string {
  return kubectlAt(E2E_KUBECONFIG, ...args);
}

export function jsonpath(kind: string, name: string, path: string, namespace = 'ai-nutritionist', kubeconfig = E2E_KUBECONFIG): string {
  return kubectlAt(kubeconfig, 'get', kind, name, '-n', namespace, '-o', `jsonpath={${path}}`);
}
