import { describe, expect, it } from 'vitest';
import { apiErrorFromStatus, describeCauses, toApiError } from './errors';

const notChecked = { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' };

describe('describeCauses', () => {
  it('shows the CEL "not checked" note only when nothing else is wrong', () => {
    expect(describeCauses([notChecked])).toBe('some validation rules were not checked because the object was invalid; correct the existing errors to complete validation');
  });

  it('keeps it short: five fields, then a count', () => {
    const causes = Array.from({ length: 7 }, (_, i) => ({ reason: 'FieldValueRequired', field: `spec.http[${i}].route`, message: 'Required value' }));
    expect(describeCauses([...causes, notChecked])).toBe('spec.http[0].route: required; spec.http[1].route: required; spec.http[2].route: required; spec.http[3].route: required; spec.http[4].route: required; and 2 more');
  });
});

describe('toApiError', () => {
  it('never shows a body that is not a Status (a proxy page, a panic)', () => {
    const error = toApiError({ code: 502, body: '<html><body>Bad Gateway</body></html>' });
    expect([error.status, error.reason, error.message]).toEqual([502, 'InternalError', 'The Kubernetes API answered 502 Bad Gateway']);
  });

  it('keeps one line of an unexpected error, never its stack', () => {
    expect(toApiError(new SyntaxError('Unexpected token < in JSON\n    at JSON.parse (<anonymous>)')).message).toBe('Kubernetes API request failed: Unexpected token < in JSON');
  });

  it('classifies by reason and details, whatever the message says', () => {
    const error = apiErrorFromStatus({ kind: 'Status', code: 409, reason: 'AlreadyExists', message: 'the object has been modified', details: { name: 'meshdeck-audit', kind: 'configmaps' } });
    expect([error.status, error.reason, error.message]).toEqual([409, 'AlreadyExists', 'ConfigMap "meshdeck-audit" already exists']);
  });
});
