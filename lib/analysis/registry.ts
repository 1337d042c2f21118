// Every analyzer, in one list: the CLI, the dashboard and the write gate all run exactly these.
import { annotationsAlpha } from './analyzers/annotations-alpha';
import { annotationsK8s } from './analyzers/annotations-k8s';
import { virtualServiceDestinationRules } from './analyzers/virtualservice-destinationrules';
import type { Analyzer } from './types';

export const ANALYZERS: readonly Analyzer[] = [virtualServiceDestinationRules, annotationsK8s, annotationsAlpha];
