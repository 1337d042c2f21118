import { describe, expect, it } from 'vitest';
import { EDITING, editFlowStep, type EditFlowEvent, type EditFlowState, type WritePreviewAnswer } from './use-edit-flow';

const preview: WritePreviewAnswer = { dryRun: true, before: { spec: { a: 1 } }, after: { spec: { a: 2 } }, summary: 'a 1 → 2' };
const run = (...events: EditFlowEvent[]) => events.reduce<EditFlowState>(editFlowStep, EDITING);

describe('editFlowStep', () => {
  it('goes edit → review → reviewing the preview → apply → applied', () => {
    expect(run({ type: 'review' })).toEqual({ step: 'previewing' });
    expect(run({ type: 'review' }, { type: 'previewed', preview })).toEqual({ step: 'reviewing', preview });
    expect(run({ type: 'review' }, { type: 'previewed', preview }, { type: 'apply' })).toEqual({ step: 'applying', preview });
    expect(run({ type: 'review' }, { type: 'previewed', preview }, { type: 'apply' }, { type: 'applied', message: 'done' })).toEqual({
      step: 'applied',
      message: 'done',
    });
  });

  it('a 409 is a conflict carrying the server state, at preview and at apply', () => {
    const body = { current: { resourceVersion: '9' } };
    expect(run({ type: 'review' }, { type: 'failed', status: 409, message: 'moved', body })).toEqual({
      step: 'conflict',
      message: 'moved',
      current: { resourceVersion: '9' },
      during: 'preview',
    });
    const atApply = run({ type: 'review' }, { type: 'previewed', preview }, { type: 'apply' }, { type: 'failed', status: 409, message: 'moved', body });
    expect(atApply).toMatchObject({ step: 'conflict', during: 'apply' });
    // Re-apply on the latest version from the conflict view.
    expect(editFlowStep(atApply, { type: 'apply' })).toEqual({ step: 'applying' });
  });

  it('a 409 of a write that named no version is a refusal with the server message, not a conflict view', () => {
    expect(run({ type: 'apply' }, { type: 'failed', status: 409, message: 'No emergency is active', stale: false })).toEqual({
      step: 'refused',
      status: 409,
      message: 'No emergency is active',
      during: 'apply',
    });
  });

  it('other refusals keep their status and message (403 says who may)', () => {
    expect(run({ type: 'review' }, { type: 'failed', status: 403, message: 'forbidden' })).toEqual({
      step: 'refused',
      status: 403,
      message: 'forbidden',
      during: 'preview',
    });
    expect(run({ type: 'apply' }, { type: 'failed', status: 400, message: 'bad weight' })).toMatchObject({ step: 'refused', status: 400, during: 'apply' });
    const body = { error: { message: 'bad', details: { fields: { 'outlierDetection.interval': 'not a duration' } } } };
    expect(run({ type: 'review' }, { type: 'failed', status: 400, message: 'bad', body })).toMatchObject({
      fields: { 'outlierDetection.interval': 'not a duration' },
    });
  });

  it('ignores answers nobody waits for: a late preview after an edit never shows a stale diff', () => {
    const edited = run({ type: 'review' }, { type: 'edit' });
    expect(edited).toBe(EDITING);
    expect(editFlowStep(edited, { type: 'previewed', preview })).toBe(EDITING);
    expect(editFlowStep(edited, { type: 'applied', message: 'x' })).toBe(EDITING);
    expect(editFlowStep(edited, { type: 'failed', status: 409, message: 'x' })).toBe(EDITING);
  });

  it('does not start a second request while one runs, and an edit drops a reviewed diff', () => {
    const previewing = run({ type: 'review' });
    expect(editFlowStep(previewing, { type: 'review' })).toBe(previewing);
    expect(editFlowStep(previewing, { type: 'apply' })).toBe(previewing);
    const applying = run({ type: 'review' }, { type: 'previewed', preview }, { type: 'apply' });
    expect(editFlowStep(applying, { type: 'review' })).toBe(applying);
    expect(editFlowStep(run({ type: 'review' }, { type: 'previewed', preview }), { type: 'edit' })).toEqual(EDITING);
  });

  it('an apply the analysis gate refuses (422 with the analysis) goes back to the review with the findings now', () => {
    const analysis = { added: [], removed: [], routedTo: [], blocking: true };
    const body = { error: { status: 422, message: 'this change adds an Error-level finding' }, analysis };
    const refused = run({ type: 'review' }, { type: 'previewed', preview }, { type: 'apply' }, { type: 'failed', status: 422, message: 'adds IST0101', body });
    expect(refused).toEqual({ step: 'reviewing', preview: { ...preview, analysis }, refused: 'adds IST0101' });
    // Without a reviewed diff (a confirm-style apply) it is a refusal with the message.
    expect(run({ type: 'apply' }, { type: 'failed', status: 422, message: 'adds IST0101', body })).toMatchObject({ step: 'refused', status: 422 });
    // A 422 of the API server (no analysis) stays a refusal.
    expect(run({ type: 'review' }, { type: 'previewed', preview }, { type: 'apply' }, { type: 'failed', status: 422, message: 'invalid' })).toMatchObject({
      step: 'refused',
      during: 'apply',
    });
  });
});
