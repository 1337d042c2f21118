// A rollout's phase in words and in a tone. Apart from ./rollout-text (gates, durations, the
// domain's measurement texts) because the Traffic rows show the phase on that page's first load.
import type { RolloutPhase } from '@/lib/mesh/rollout-model';

export const PHASE_TEXT: Record<RolloutPhase, string> = {
  Progressing: 'Progressing',
  Paused: 'Paused',
  Promoted: 'Promoted',
  RolledBack: 'Rolled back',
  Aborted: 'Aborted',
};

/** The tone a phase is shown in: a rollback is bad news, a pause or an abort needs a look. */
export const phaseTone = (phase: RolloutPhase): 'ok' | 'warn' | 'bad' | 'muted' =>
  phase === 'RolledBack' ? 'bad' : phase === 'Paused' || phase === 'Aborted' ? 'warn' : phase === 'Promoted' ? 'ok' : 'muted';
