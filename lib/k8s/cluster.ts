import { toApiError } from './errors';
import { kubeRequest } from './http';
import { kubeConnection } from './kube-config';

export type ClusterStatus =
  | { state: 'unconfigured'; reason: string }
  | { state: 'unreachable'; context: string; server: string; reason: string }
  | { state: 'connected'; context: string; server: string; version: string };

/** Asks the API server for /version, bounded by a timeout, and says where the dashboard stands. */
export async function probeCluster(timeoutMs = 2000): Promise<ClusterStatus> {
  const connection = kubeConnection();
  if (!connection.configured) return { state: 'unconfigured', reason: connection.reason };
  const { context, server } = connection;
  try {
    const version = await kubeRequest<{ gitVersion: string }>({ path: '/version', timeoutMs });
    return { state: 'connected', context, server, version: version.gitVersion };
  } catch (error) {
    return { state: 'unreachable', context, server, reason: toApiError(error).message };
  }
}
