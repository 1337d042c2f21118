// The one "edit → reason → review diff → apply → outcome" flow of every editor: a pure state
// machine (editFlowStep, unit-tested) and the hook that drives it with Meshdeck's write API.
import { useMutation } from '@tanstack/react-query';
import { useReducer, useState, type Dispatch, type SetStateAction } from 'react';
import type { GateAnalysis } from '@/lib/analysis/gate';
import { fetchJson, HttpError } from './fetch-json';

/** At least this many characters of reason, as the write API asks (lib/api/traffic-schemas `reason`). */
export const MIN_REASON = 3;

/**
 * A write's preview (`?dryRun=true`): the object now, what the API server says it would become,
 * and the findings that adds and removes (lib/analysis/gate.ts; missing from older servers).
 */
export interface WritePreviewAnswer {
  dryRun: true;
  before: unknown;
  after: unknown;
  summary: string;
  analysis?: GateAnalysis;
}

/** The analysis a 422 of the gate carries, if the failure is one. */
const gateAnalysisOf = (body: unknown): GateAnalysis | undefined => {
  const analysis = (body as { analysis?: GateAnalysis } | undefined)?.analysis;
  return analysis && typeof analysis === 'object' ? analysis : undefined;
};

export type EditFlowState =
  | { step: 'editing' }
  | { step: 'previewing' }
  /** `refused`: the gate refused the apply (the cluster moved on since the review): why, with the new findings in `preview`. */
  | { step: 'reviewing'; preview: WritePreviewAnswer; refused?: string }
  | { step: 'applying'; preview?: WritePreviewAnswer }
  | { step: 'applied'; message: string }
  /** The object moved on since the draft; `current` is the server's state now (when it could read it). */
  | { step: 'conflict'; message: string; current: unknown; during: 'preview' | 'apply' }
  /** Any other refusal; 403 means the person may not (`status` says which); `fields`: the server's message per form field. */
  | { step: 'refused'; status: number; message: string; during: 'preview' | 'apply'; fields?: Record<string, string> };

export type EditFlowEvent =
  | { type: 'review' }
  | { type: 'previewed'; preview: WritePreviewAnswer }
  | { type: 'apply' }
  | { type: 'applied'; message: string }
  /** `stale: false`: a 409 that is no version conflict (the write named no version, e.g. "no emergency is active"). */
  | { type: 'failed'; status: number; message: string; body?: unknown; stale?: boolean }
  /** The draft changed or the person went back: any preview or outcome no longer applies. */
  | { type: 'edit' };

export const EDITING: EditFlowState = { step: 'editing' };

/**
 * The flow's transitions. Answers that arrive in a step that did not ask for them (a preview
 * after the person edited again) are ignored, so a late answer never shows a stale diff.
 */
export function editFlowStep(state: EditFlowState, event: EditFlowEvent): EditFlowState {
  switch (event.type) {
    case 'edit':
      return state.step === 'editing' ? state : EDITING;
    case 'review':
      return state.step === 'previewing' || state.step === 'applying' ? state : { step: 'previewing' };
    case 'previewed':
      return state.step === 'previewing' ? { step: 'reviewing', preview: event.preview } : state;
    case 'apply':
      // From a reviewed diff, from a conflict (re-apply on the latest), or straight from a confirmation.
      if (state.step === 'reviewing') return { step: 'applying', preview: state.preview };
      return state.step === 'conflict' || state.step === 'editing' || state.step === 'refused' ? { step: 'applying' } : state;
    case 'applied':
      return state.step === 'applying' ? { step: 'applied', message: event.message } : state;
    case 'failed': {
      if (state.step !== 'previewing' && state.step !== 'applying') return state;
      const during = state.step === 'previewing' ? 'preview' : 'apply';
      // The gate refused the apply of a reviewed draft: back to the review, with the findings now.
      const analysis = event.status === 422 ? gateAnalysisOf(event.body) : undefined;
      if (analysis && state.step === 'applying' && state.preview) return { step: 'reviewing', preview: { ...state.preview, analysis }, refused: event.message };
      if (event.status === 409 && event.stale !== false)
        return { step: 'conflict', message: event.message, current: (event.body as { current?: unknown } | undefined)?.current, during };
      const fields = (event.body as { error?: { details?: { fields?: Record<string, string> } } } | undefined)?.error?.details?.fields;
      return { step: 'refused', status: event.status, message: event.message, during, ...(fields ? { fields } : {}) };
    }
  }
}

/** What the editor's write looks like: where it goes and the body for a reason and a base version. */
export interface EditFlowWrite {
  url: string;
  method?: 'PUT' | 'POST';
  body: (input: { reason: string; resourceVersion: string | undefined }) => unknown;
}

export interface EditFlowOptions<Answer> {
  write: EditFlowWrite;
  /** The resourceVersion the draft was based on (undefined for writes that name no version). */
  baseVersion: string | undefined;
  /** The latest version in a 409's `current`, for "re-apply on the latest version". */
  latestVersion?: (current: unknown) => string | undefined;
  /** The outcome line of an applied write; write the answer into the query cache here too. */
  onApplied: (answer: Answer) => string;
  /** A reason shared with other flows (one reason field for several actions on one object). */
  reasonState?: [string, Dispatch<SetStateAction<string>>];
}

const versionOf = (current: unknown) => (current as { resourceVersion?: unknown } | undefined)?.resourceVersion;
const defaultLatest = (current: unknown) => {
  const version = versionOf(current);
  return typeof version === 'string' ? version : undefined;
};

const asFailure = (error: Error, versioned: boolean): Extract<EditFlowEvent, { type: 'failed' }> =>
  error instanceof HttpError
    ? { type: 'failed', status: error.status, message: error.message, body: error.body, stale: versioned }
    : { type: 'failed', status: 0, message: error.message };

/**
 * Drives one editor's flow: the reason, the preview (the same write with `?dryRun=true`), the
 * apply (on the version the draft was based on, or after a conflict on the latest) and the
 * outcome. The editor calls `edited()` whenever its draft changes.
 */
export function useEditFlow<Answer>({ write, baseVersion, latestVersion = defaultLatest, onApplied, reasonState }: EditFlowOptions<Answer>) {
  const [state, dispatch] = useReducer(editFlowStep, EDITING);
  const ownReason = useState('');
  const [reason, setReason] = reasonState ?? ownReason;
  const send = (dryRun: boolean, resourceVersion: string | undefined, override?: string) =>
    fetchJson<unknown>(`${write.url}${dryRun ? '?dryRun=true' : ''}`, {
      method: write.method ?? 'PUT',
      body: JSON.stringify({
        ...(write.body({ reason: reason.trim(), resourceVersion }) as object),
        ...(override === undefined ? {} : { override: { reason: override.trim() } }),
      }),
    });
  const preview = useMutation({
    mutationFn: () => send(true, baseVersion) as Promise<WritePreviewAnswer>,
    onSuccess: (answer) => dispatch({ type: 'previewed', preview: answer }),
    onError: (error) => dispatch(asFailure(error, baseVersion !== undefined)),
  });
  const apply = useMutation({
    mutationFn: ({ resourceVersion, override }: { resourceVersion: string | undefined; override?: string }) =>
      send(false, resourceVersion, override) as Promise<Answer>,
    onSuccess: (answer) => {
      dispatch({ type: 'applied', message: onApplied(answer) });
      setReason('');
    },
    onError: (error) => dispatch(asFailure(error, baseVersion !== undefined)),
  });
  const reasonProblem = reason.trim().length < MIN_REASON ? `Give a reason for the change (at least ${MIN_REASON} characters)` : undefined;
  const busy = state.step === 'previewing' || state.step === 'applying';
  const latest = state.step === 'conflict' ? latestVersion(state.current) : undefined;
  return {
    state,
    reason,
    setReason: (text: string) => setReason(text),
    reasonProblem,
    busy,
    /** Asks the API server what the draft would do (nothing is written). */
    review: () => {
      if (reasonProblem || busy) return;
      dispatch({ type: 'review' });
      preview.mutate();
    },
    /** Applies the draft on the version it was based on. */
    apply: () => {
      if (reasonProblem || busy) return;
      dispatch({ type: 'apply' });
      apply.mutate({ resourceVersion: baseVersion });
    },
    /** Applies a draft the analysis gate refuses, as an admin, with why (the audit entry keeps it). */
    overrideAndApply: (overrideReason: string) => {
      if (reasonProblem || busy || overrideReason.trim().length < MIN_REASON) return;
      dispatch({ type: 'apply' });
      apply.mutate({ resourceVersion: baseVersion, override: overrideReason });
    },
    /** After a conflict: the same draft on the version the cluster has now (undefined when unknown). */
    reapply:
      latest === undefined
        ? undefined
        : () => {
            dispatch({ type: 'apply' });
            apply.mutate({ resourceVersion: latest });
          },
    /** The draft changed, or the person went back to it. */
    edited: () => dispatch({ type: 'edit' }),
  };
}

export type EditFlow = ReturnType<typeof useEditFlow>;
