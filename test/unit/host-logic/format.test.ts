import * as assert from 'node:assert/strict';
import {
  formatAge, formatBytes, formatCost, formatCount, formatInteger, formatDuration, formatPercent, formatValue, sampleTypeLabel, unitKind,
} from '../../../src/core/format';

describe('format', () => {
  it('durations pick a readable unit', () => {
    assert.equal(formatDuration(850), '850 ns');
    assert.equal(formatDuration(12_000), '12 µs');
    assert.equal(formatDuration(4_210_000), '4.2 ms');
    assert.equal(formatDuration(1_500_000_000), '1.5 s');
    assert.equal(formatDuration(126e9), '2.1 min');
    assert.equal(formatDuration(0), '0 ns');
    assert.equal(formatDuration(999_999), '1 ms');
  });

  it('bytes use 1024 steps with pprof labels', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(4300), '4.2 kB');
    assert.equal(formatBytes(12 * 1024 * 1024), '12 MB');
    assert.equal(formatBytes(1.5 * 1024 ** 3), '1.5 GB');
  });

  it('counts abbreviate above 10k', () => {
    assert.equal(formatCount(950), '950');
    assert.equal(formatCount(9999), '9999');
    assert.equal(formatCount(12_345), '12.3k');
    assert.equal(formatCount(4_500_000), '4.5M');
  });

  it('values follow the sample type unit', () => {
    assert.equal(formatValue(90e6, 'nanoseconds'), '90 ms');
    assert.equal(formatValue(90, 'milliseconds'), '90 ms');
    assert.equal(formatValue(2500, 'microseconds'), '2.5 ms');
    assert.equal(formatValue(4.1 * 1024 * 1024, 'bytes'), '4.1 MB');
    assert.equal(formatValue(37, 'count'), '37');
    assert.equal(unitKind('Nanoseconds'), 'time');
    assert.equal(unitKind('bytes'), 'bytes');
    assert.equal(unitKind('objects'), 'count');
  });

  it('integers with thousands separators', () => {
    assert.equal(formatInteger(0), '0');
    assert.equal(formatInteger(999), '999');
    assert.equal(formatInteger(2478), '2,478');
    assert.equal(formatInteger(1234567.4), '1,234,567');
    assert.equal(formatInteger(-1000), '-1,000');
  });

  it('percentages', () => {
    assert.equal(formatPercent(0.123), '12.3%');
    assert.equal(formatPercent(0.0004), '<0.1%');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(NaN), '0%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(0.9996), '100%');
  });

  it('cost cells: memory absolute, the rest as share', () => {
    assert.equal(formatCost(12.3, 100, { type: 'cpu', unit: 'nanoseconds' }), '12.3% cpu');
    assert.equal(formatCost(4.1 * 1024 * 1024, 1e9, { type: 'alloc_space', unit: 'bytes' }), '4.1 MB alloc');
    assert.equal(formatCost(5, 0, { type: 'samples', unit: 'count' }), '0% samples');
    assert.equal(sampleTypeLabel({ type: 'inuse_objects', unit: 'count' }), 'inuse objs');
    assert.equal(sampleTypeLabel({ type: 'custom_thing', unit: 'count' }), 'custom_thing');
  });

  it('ages', () => {
    assert.equal(formatAge(3000), 'just now');
    assert.equal(formatAge(45_000), '45s ago');
    assert.equal(formatAge(125_000), '2m ago');
    assert.equal(formatAge(3 * 3600_000 + 5), '3h ago');
    assert.equal(formatAge(-5), 'just now');
  });
});
