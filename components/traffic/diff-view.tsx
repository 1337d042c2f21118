// Moved to components/ui: the shared review diff. Kept as a re-export while editors move over.
export { DiffView } from '@/components/ui/diff-view';
