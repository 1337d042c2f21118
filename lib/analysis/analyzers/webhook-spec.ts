// What the webhook analyzers read of an admissionregistration.k8s.io/v1 webhook configuration.
import type { LabelSelector } from '@/lib/mesh/selectors';
import type { AnalysisObject } from '../types';

export interface Webhook {
  name?: string;
  clientConfig?: { url?: string; service?: { name?: string; namespace?: string; path?: string; port?: number } };
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

export const webhooksOf = (configuration: AnalysisObject): Webhook[] => (configuration.webhooks ?? []) as Webhook[];
