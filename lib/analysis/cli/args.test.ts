import { describe, expect, it } from 'vitest';
import { parseArgs, usage, type AnalyzeOptions } from './args';

const options = (argv: string[]): AnalyzeOptions => {
  const parsed = parseArgs(argv);
  if (parsed.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
};
const errorOf = (argv: string[]) => {
  const parsed = parseArgs(argv);
  return parsed.kind === 'error' ? parsed.message : undefined;
};

describe('analyze arguments', () => {
  it("defaults as istioctl's: cluster on, failure at Error, output from Info, text, the namespace left to the caller", () => {
    expect(options([])).toEqual({
      files: [],
      recursive: false,
      useKube: true,
      allNamespaces: false,
      output: 'text',
      failureThreshold: 'Error',
      outputThreshold: 'Info',
      suppressions: [],
      listAnalyzers: false,
      ignoreUnknown: false,
      verbose: false,
    });
  });

  it('takes files from -f (repeated) and from plain arguments, and - for standard input', () => {
    expect(options(['-f', 'a.yaml', '--filename=dir/', 'b.json', '-', '-R']).files).toEqual(['a.yaml', 'dir/', 'b.json', '-']);
    expect(options(['-f', 'a.yaml', '--', '-R']).files).toEqual(['a.yaml', '-R']);
  });

  it('reads booleans as pflag does: bare is true, a value only after =', () => {
    expect(options(['--use-kube=false']).useKube).toBe(false);
    expect(options(['-k=false']).useKube).toBe(false);
    expect(options(['--use-kube']).useKube).toBe(true);
    // A separate word after a boolean is a file, not its value.
    expect(options(['--use-kube', 'false'])).toMatchObject({ useKube: true, files: ['false'] });
    expect(errorOf(['--use-kube=maybe'])).toBe('--use-kube takes true or false, not "maybe"');
  });

  it('reads values separate, after =, and glued to a short flag', () => {
    expect(options(['-n', 'shop', '-ojson']).namespace).toBe('shop');
    expect(options(['-ojson']).output).toBe('json');
    expect(options(['--output=YAML']).output).toBe('yaml');
    expect(options(['-o', 'log']).output).toBe('text');
    expect(options(['-A']).allNamespaces).toBe(true);
    expect(options(['--all-namespaces', '-n', 'shop'])).toMatchObject({ allNamespaces: true, namespace: 'shop' });
  });

  it('takes levels in any case, and the last of a repeated flag', () => {
    expect(options(['--failure-threshold', 'warning', '--output-threshold=ERROR'])).toMatchObject({ failureThreshold: 'Warning', outputThreshold: 'Error' });
    expect(options(['--failure-threshold', 'Info', '--failure-threshold', 'Error']).failureThreshold).toBe('Error');
  });

  it('parses suppressions, warning (not failing) on an unknown code as istioctl does', () => {
    const parsed = parseArgs(['-S', 'IST0101=VirtualService shop/*', '--suppress=IST9999=Pod x']);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: {
        suppressions: [
          { code: 'IST0101', resource: 'VirtualService shop/*' },
          { code: 'IST9999', resource: 'Pod x' },
        ],
      },
      warnings: ["Warning: Supplied message code 'IST9999' is an unknown message code and will not have any effect."],
    });
  });

  it('refuses what it cannot use, saying what it takes', () => {
    expect(errorOf(['--bogus'])).toBe('unknown flag: --bogus');
    expect(errorOf(['-x'])).toBe('unknown flag: -x');
    expect(errorOf(['-n'])).toBe('flag needs an argument: -n');
    expect(errorOf(['-o', 'table'])).toBe('table not a valid option for format: use text, json or yaml');
    expect(errorOf(['--failure-threshold', 'Warn'])).toBe('--failure-threshold takes Error, Warning, Info, not "Warn"');
    expect(errorOf(['-n', 'Shop_1'])).toMatch(/^-n "Shop_1" is not a namespace name: use lower-case letters/);
    expect(errorOf(['-S', 'IST0101'])).toMatch(/is not a valid suppression: use CODE=RESOURCE/);
  });

  it('has help naming every flag', () => {
    expect(parseArgs(['--bogus-not-reached', '-h']).kind).toBe('error');
    expect(parseArgs(['-A', '--help']).kind).toBe('help');
    for (const flag of ['--use-kube', '--failure-threshold', '--output-threshold', '--suppress', '--recursive', '--all-namespaces'])
      expect(usage()).toContain(flag);
  });
});
