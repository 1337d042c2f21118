// Processes a spec starts itself (a sandbox of its own, extra dashboards), on free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Process groups a spec started: ended with the worker, even when a test timed out before its
// own cleanup ran, so no dashboard or sandbox outlives the run.
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null)
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
});

/** Ends this process group with the worker (see above). */
export function endWithWorker(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface SandboxProcess {
  child: ChildProcess;
  url: string;
  kubeconfig: string;
}

/** Starts `sandbox/main.ts` on a port the OS picks, in its own process group. */
export function startSandboxProcess(args: string[] = []): Promise<SandboxProcess> {
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'meshdeck-e2e-sandbox-')), 'kubeconfig');
  const child = endWithWorker(
    spawn(process.execPath, ['sandbox/main.ts', '--port', '0', '--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'inherit'], detached: true }),
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Kubernetes API on (https:\/\/\S+)/.exec(output)?.[1];
      if (url && output.includes('kubeconfig')) resolve({ child, url, kubeconfig });
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited (${code}): ${output}`)));
  });
}

/** Ends a process group: SIGTERM for a clean stop, SIGKILL for a crash. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, signal);
  await exited;
}
