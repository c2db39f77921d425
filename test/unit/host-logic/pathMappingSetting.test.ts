import * as assert from 'node:assert/strict';
import { resolvePathMappingSetting } from '../../../src/core/insights/pathMappingSetting';

describe('profileLens.pathMappings setting', () => {
  const roots = ['/home/me/shop', '/home/me/other'];

  it('expands ${workspaceFolder} and resolves relative targets against the first folder', () => {
    assert.deepEqual(
      resolvePathMappingSetting(
        [
          { from: '/app', to: '${workspaceFolder}' },
          { from: '/srv/api/dist', to: 'dist' },
          { from: ' /abs ', to: '/opt/src ' },
        ],
        roots,
      ),
      [
        { from: '/app', to: '/home/me/shop' },
        { from: '/srv/api/dist', to: '/home/me/shop/dist' },
        { from: '/abs', to: '/opt/src' },
      ],
    );
  });

  it('drops malformed entries instead of failing', () => {
    assert.deepEqual(resolvePathMappingSetting([null, 3, { from: '/a' }, { from: '', to: '/x' }, { from: '/b', to: 7 }, { from: '/c', to: '/d' }], roots), [{ from: '/c', to: '/d' }]);
    assert.deepEqual(resolvePathMappingSetting({ from: '/a', to: '/b' }, roots), []);
    assert.deepEqual(resolvePathMappingSetting(undefined, roots), []);
  });

  it('without a workspace folder a relative target stays relative', () => {
    assert.deepEqual(resolvePathMappingSetting([{ from: '/app', to: 'src' }], []), [{ from: '/app', to: 'src' }]);
  });
});
