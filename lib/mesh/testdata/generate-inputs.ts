// Inputs for the Go reference table (see go-parse-duration.go): edge cases, strings built
// from Go's duration grammar with long fractions and huge numbers, and near-misses.
import fc from 'fast-check';

const digits = (max: number) => fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), maxLength: max });
const unit = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h') }, { weight: 1, arbitrary: fc.constantFrom('', 'x', 'sec', ' s', 'H', 'mss', 'S', 'd') });
const segment = fc.tuple(fc.oneof(digits(3), digits(21)), fc.option(fc.oneof(digits(3), digits(24)), { nil: undefined }), unit).map(([i, f, u]) => `${i}${f === undefined ? '' : `.${f}`}${u}`);
const grammar = fc.tuple(fc.constantFrom('', '', '-', '+'), fc.array(segment, { minLength: 1, maxLength: 4 })).map(([sign, parts]) => sign + parts.join(''));
const noise = fc.string({ unit: fc.constantFrom('0', '1', '5', '9', '.', '-', '+', 's', 'm', 'h', 'n', 'u', 'µ', ' '), maxLength: 10 });

const edges = ['', '0', '-0', '+0', '00', '0.0', '-', '+', '.', '.s', '1.s', '.5s', 's', '1', '1s2', '1 s', ' 1s', '1s ', '1e3s', '1_000s', '0x10s', '9223372036854775807ns', '9223372036854775808ns', '-9223372036854775808ns', '-9223372036854775809ns', '2562047h47m16.854775807s', '2562047h47m16.854775808s', '-2562047h47m16.854775808s', '2562048h', '0.000000001s', '0.0000000001s', '1.0000000000000000000001h', '0.3333333333333333333333h', '1h30m', '1m30s', '1.5s', '500ms', '300us', '300µs', '300μs', '10ns', '-1s', '60s', '0.050s', '1.5h', '2h45m', '1.5ms', '0.1ms'];

const generated = fc.sample(fc.oneof({ weight: 6, arbitrary: grammar }, { weight: 1, arbitrary: noise }), { seed: 14, numRuns: 2500 });
process.stdout.write(JSON.stringify([...new Set([...edges, ...generated])]));
