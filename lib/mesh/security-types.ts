// security.istio.io resources, as Meshdeck reads them: the same in every served version
// (v1, v1beta1), so nothing here depends on the apiVersion an object was stored through.
import type { ObjectMeta } from './types';

export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthentication {
  apiVersion: string;
  kind: 'PeerAuthentication';
  metadata: ObjectMeta & { creationTimestamp?: string };
  spec: { selector?: { matchLabels?: Record<string, string> }; mtls?: { mode?: MtlsMode }; portLevelMtls?: Record<string, { mode?: MtlsMode }> };
}

export interface JwtRule {
  issuer: string;
  jwksUri?: string;
  audiences?: string[];
  fromHeaders?: { name: string; prefix?: string }[];
  fromParams?: string[];
  forwardOriginalToken?: boolean;
  outputClaimToHeaders?: { header: string; claim: string }[];
}

export interface RequestAuthentication {
  apiVersion: string;
  kind: 'RequestAuthentication';
  metadata: ObjectMeta;
  spec: { selector?: { matchLabels?: Record<string, string> }; jwtRules?: JwtRule[] };
}

export interface AuthorizationRule {
  from?: { source: Record<string, string[] | undefined> }[];
  to?: { operation: Record<string, string[] | undefined> }[];
  when?: { key: string; values?: string[]; notValues?: string[] }[];
}

export interface AuthorizationPolicy {
  apiVersion: string;
  kind: 'AuthorizationPolicy';
  metadata: ObjectMeta;
  spec: {
    selector?: { matchLabels?: Record<string, string> };
    action?: 'ALLOW' | 'DENY' | 'CUSTOM' | 'AUDIT';
    provider?: { name: string };
    rules?: AuthorizationRule[];
  };
}
