'use client';

import { useId, useState } from 'react';
import { useUser } from '@/components/auth/user-context';
import { blockedBecause, isBlocking, originName, type GateAnalysis } from '@/lib/analysis/gate';
import type { Finding } from '@/lib/analysis/types';
import { can, requiredRole } from '@/lib/auth/roles';
import { MIN_REASON, type EditFlow } from '@/lib/queries/use-edit-flow';
import styles from './findings-diff.module.css';

/**
 * What a change does to the cluster's findings, under its diff: the findings it adds, the
 * existing errors of destinations it starts sending traffic to, and those it removes (level, code, message, object, field), or
 * why they could not be checked.
 */
export function FindingsDiff({ analysis }: { analysis: GateAnalysis | undefined }) {
  if (!analysis) return null;
  if ('unavailable' in analysis) {
    return (
      <p role="status" className="hint">
        Findings not checked: {analysis.unavailable}. The analysis does not hold this change back; the API server still validates it.
      </p>
    );
  }
  const routedTo = analysis.routedTo ?? [];
  if (analysis.added.length === 0 && analysis.removed.length === 0 && routedTo.length === 0) {
    return (
      <p role="status" className="hint">
        The analysis finds nothing new in this change, and nothing it fixes.
      </p>
    );
  }
  return (
    <section className={styles.analysis} aria-label="Findings of this change">
      <FindingList title="Findings this change adds" findings={analysis.added} />
      <FindingList title="Errors on destinations this change starts sending traffic to" findings={routedTo} />
      <FindingList title="Findings this change removes" findings={analysis.removed} removed />
    </section>
  );
}

function FindingList({ title, findings, removed }: { title: string; findings: Finding[]; removed?: boolean }) {
  const id = useId();
  if (findings.length === 0) return null;
  return (
    <>
      <h5 id={id}>
        {title} ({findings.length})
      </h5>
      <ul className={styles.list} aria-labelledby={id}>
        {findings.map((finding) => (
          <li
            key={`${finding.code}|${originName(finding)}|${finding.path ?? ''}|${finding.message}`}
            className={`${styles.finding} ${removed ? styles.removed : ''}`}
          >
            <span className={`${styles.level} ${styles[finding.level]}`}>{finding.level}</span>
            <code>{finding.code}</code>
            <span className={styles.message}>{finding.message}</span>
            <span className={styles.where}>
              {originName(finding)}
              {finding.path && (
                <>
                  {' '}
                  at <code>{finding.path}</code>
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * When the analysis refuses the change (it adds Error-level findings): why Apply is off, and for
 * an admin the way past it, with a reason the audit entry keeps. Nothing otherwise.
 */
export function GateControls({ flow, analysis, refused }: { flow: EditFlow; analysis: GateAnalysis | undefined; refused?: string }) {
  const { user } = useUser();
  const [reason, setReason] = useState('');
  const id = useId();
  if (!isBlocking(analysis)) return null;
  const mayOverride = can(user.role, 'analysis:override');
  const short = reason.trim().length < MIN_REASON;
  return (
    <>
      <p role="alert" className="notice-inline bad">
        {refused && <>{refused} </>}
        This change cannot be applied: {blockedBecause(analysis).replace(/^this change /, 'it ')}. Change the draft so it does not
        {mayOverride ? ', or override the analysis below with a reason.' : `; only an ${requiredRole('analysis:override')} can override the analysis.`}
      </p>
      {mayOverride && (
        <fieldset className={styles.override}>
          <legend>Override the analysis</legend>
          <label className="field">
            Override reason (kept in the audit trail)
            <input value={reason} onChange={(e) => setReason(e.target.value)} aria-describedby={short && reason ? id : undefined} />
          </label>
          {short && reason && (
            <p id={id} className="hint">
              Say why this change must go in despite its findings (at least {MIN_REASON} characters)
            </p>
          )}
          <div className="toolbar">
            <button
              type="button"
              className="button button-danger"
              disabled={flow.busy || Boolean(flow.reasonProblem) || short}
              onClick={() => flow.overrideAndApply(reason)}
            >
              {flow.state.step === 'applying' ? 'Applying…' : 'Override and apply'}
            </button>
          </div>
        </fieldset>
      )}
    </>
  );
}
