// The one "edit → reason → review diff → apply → outcome" flow of every editor: a pure state
// machine (editFlowStep, unit-tested) and the hook that drives it with Meshdeck's write API.
import { useMutation } from '@tanstack/react-query';
import { useReducer, useState, type Dispatch, type SetStateAction } from 'react';
import { fetchJson, HttpError } from './fetch-json';

/** At least this many characters of reason, as the write API asks (lib/api/traffic-schemas `reason`). */
export const MIN_REASON = 3;

/** A write's preview (`?dryRun=true`): the object now and what the API server says it would become. */
export interface WritePreviewAnswer {
  dryRun: true;
  before: unknown;
  after: unknown;
  summary: string;
}

export type EditFlowState =
  | { step: 'editing' }
  | { step: 'previewing' }
  | { step: 'reviewing'; preview: WritePreviewAnswer }
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
  const send = (dryRun: boolean, resourceVersion: string | undefined) =>
    fetchJson<unknown>(`${write.url}${dryRun ? '?dryRun=true' : ''}`, {
      method: write.method ?? 'PUT',
      body: JSON.stringify(write.body({ reason: reason.trim(), resourceVersion })),
    });
  const preview = useMutation({
    mutationFn: () => send(true, baseVersion) as Promise<WritePreviewAnswer>,
    onSuccess: (answer) => dispatch({ type: 'previewed', preview: answer }),
    onError: (error) => dispatch(asFailure(error, baseVersion !== undefined)),
  });
  const apply = useMutation({
    mutationFn: (resourceVersion: string | undefined) => send(false, resourceVersion) as Promise<Answer>,
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
      apply.mutate(baseVersion);
    },
    /** After a conflict: the same draft on the version the cluster has now (undefined when unknown). */
    reapply:
      latest === undefined
        ? undefined
        : () => {
            dispatch({ type: 'apply' });
            apply.mutate(latest);
          },
    /** The draft changed, or the person went back to it. */
    edited: () => dispatch({ type: 'edit' }),
  };
}

export type EditFlow = ReturnType<typeof useEditFlow>;
