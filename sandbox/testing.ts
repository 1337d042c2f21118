// Helpers for tests that need a running sandbox and the real kubectl.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions } from './sandbox.ts';

export interface TestSandbox extends Sandbox {
  kubeconfig: string;
  /** Runs kubectl against this sandbox (context: sandbox-admin unless given). */
  kubectl(args: string[], options?: { context?: string; input?: string }): Promise<{ status: number | null; stdout: string; stderr: string }>;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdeck-sandbox-'));
  const sandbox = await startSandbox({ port: 0, kubeconfig: join(dir, 'kubeconfig'), ...options });
  const kubeconfig = sandbox.kubeconfig!;
  return {
    ...sandbox,
    kubeconfig,
    // Asynchronous on purpose: the sandbox runs in this process and must keep answering.
    kubectl(args, { context, input } = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn('kubectl', [...(context ? ['--context', context] : []), ...args], {
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
          timeout: 30_000,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(input ?? '');
      });
    },
  };
}
