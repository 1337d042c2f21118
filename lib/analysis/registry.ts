// Every analyzer, in one list: the CLI, the dashboard and the write gate all run exactly these.
import { annotationsAlpha } from './analyzers/annotations-alpha';
import { annotationsK8s } from './analyzers/annotations-k8s';
import { meshdeckRouteWeights } from './analyzers/meshdeck-route-weights';
import { meshdeckUnusedSubsets } from './analyzers/meshdeck-unused-subsets';
import { meshdeckZeroWeightSubsets } from './analyzers/meshdeck-zero-weight-subsets';
import { virtualServiceConflictingMeshGatewayHosts } from './analyzers/virtualservice-conflictingmeshgatewayhosts';
import { virtualServiceDestinationRules } from './analyzers/virtualservice-destinationrules';
import type { Analyzer } from './types';

export const ANALYZERS: readonly Analyzer[] = [
  virtualServiceDestinationRules,
  virtualServiceConflictingMeshGatewayHosts,
  annotationsK8s,
  annotationsAlpha,
  meshdeckRouteWeights,
  meshdeckZeroWeightSubsets,
  meshdeckUnusedSubsets,
];
