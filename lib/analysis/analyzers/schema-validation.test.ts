import { describe, expect, it } from 'vitest';
import {
  isIpAddress,
  validateDuration,
  validateExportTo,
  validateHeaderValue,
  validateIpSubnet,
  validateLabels,
  validateWildcardDomain,
} from './schema-validation';

describe('schema validation building blocks', () => {
  it('reads domains as Istio does: wildcards in the first label only, no all-numeric top-level domain', () => {
    expect(validateWildcardDomain('*.rates.example.com')).toBeUndefined();
    expect(validateWildcardDomain('*-api.example.com')).toBeUndefined();
    expect(validateWildcardDomain('example.com.')).toBeUndefined();
    expect(validateWildcardDomain('rates.*.example.com')).toBe('domain name "*.example.com" invalid (label "*" invalid)'); // Istio names the rest of the domain
    expect(validateWildcardDomain('10.0.0.1')).toBe('domain name "0.0.1" invalid (top level domain "1" cannot be all-numeric)');
    expect(validateWildcardDomain('')).toBe('empty domain name not allowed');
  });

  it('says which exportTo entry is duplicated, in the order Istio meets them', () => {
    expect(validateExportTo('loans', ['loans', '.'])).toEqual(['duplicate entries in exportTo: . and current namespace loans']);
    expect(validateExportTo('loans', ['*', 'audit'])).toEqual(['cannot have both public (*) and non-public exportTo values for a resource']);
    expect(validateExportTo('loans', ['Audit_NS'])).toEqual(['only .,*, or a valid DNS 1123 label is allowed as exportTo entry']);
  });

  it("accepts Envoy's header formatters and refuses a dangling one", () => {
    expect(validateHeaderValue('%REQ(x-request-id)%')).toBeUndefined();
    expect(validateHeaderValue('%ENVIRONMENT(["POD_NAME"])% and 100%%')).toBeUndefined();
    expect(validateHeaderValue('%UPSTREAM_HOST')).toBe(
      "header value configuration: invalid header configuration. Un-terminated variable expression '%UPSTREAM_HOST'",
    );
  });

  it('reads durations, labels and addresses', () => {
    expect(validateDuration('1m30s')).toBeUndefined();
    expect(validateDuration('0.5ms')).toBe('duration must be greater than 1ms');
    expect(validateDuration('ten')).toMatch(/^invalid duration "ten"/);
    expect(validateLabels({ 'app.kubernetes.io/name': 'rates', version: '' })).toEqual([]);
    expect(validateLabels({ 'bad key!': 'x' })).toEqual(['invalid tag key: "bad key!"']);
    expect(isIpAddress('10.1.2.3')).toBe(true);
    expect(isIpAddress('2001:db8::1')).toBe(true);
    expect(isIpAddress('010.1.2.3')).toBe(false);
    expect(validateIpSubnet('2001:db8::/32')).toBeUndefined();
    expect(validateIpSubnet('10.0.0.256')).toBe('10.0.0.256 is not a valid IP');
  });
});
