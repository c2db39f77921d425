import * as assert from 'node:assert/strict';
import { HEAT_LEVELS, heatBounds, heatLevel, thresholdFromPercent } from '../../../src/core/insights/heat';

describe('heat levels', () => {
  it('maps shares to 5 increasing levels above the threshold', () => {
    const t = 0.01;
    assert.equal(heatLevel(0.005, t), 0);
    assert.equal(heatLevel(0.01, t), 1);
    assert.equal(heatLevel(0.02, t), 1);
    assert.equal(heatLevel(0.03, t), 2);
    assert.equal(heatLevel(0.07, t), 3);
    assert.equal(heatLevel(0.12, t), 4);
    assert.equal(heatLevel(0.6, t), HEAT_LEVELS);
    assert.equal(heatLevel(0, t), 0);
    assert.equal(heatLevel(NaN, t), 0);
  });

  it('is monotonic in the share for any threshold', () => {
    for (const t of [0, 0.001, 0.01, 0.04, 0.2, 0.5]) {
      let prev = 0;
      for (let s = 0; s <= 1; s += 0.0005) {
        const l = heatLevel(s, t);
        assert.ok(l >= prev, `threshold ${t} share ${s}`);
        assert.ok(l <= HEAT_LEVELS);
        prev = l;
      }
    }
  });

  it('a high threshold lifts the lower bounds', () => {
    assert.deepEqual(heatBounds(0.08), [0.08, 0.08, 0.08, 0.1, 0.25]);
    assert.equal(heatLevel(0.07, 0.08), 0);
    assert.equal(heatLevel(0.09, 0.08), 3);
  });

  it('threshold setting is a percentage with a safe fallback', () => {
    assert.equal(thresholdFromPercent(1), 0.01);
    assert.equal(thresholdFromPercent(250), 1);
    assert.equal(thresholdFromPercent(-3), 0);
    assert.equal(thresholdFromPercent('x'), 0.01);
    assert.equal(thresholdFromPercent(undefined, 2), 0.02);
  });
});
