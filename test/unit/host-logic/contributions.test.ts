/**
 * The manifest (package.json `contributes`) and the typed maps in src/host/contributions.ts must agree:
 * every command/setting/colour/view in one exists in the other, and defaults are equal.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Colors, Commands, ContextKeys, SettingDefaults, Settings, Views } from '../../../src/host/contributions';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));
const c = pkg.contributes;

describe('contributions: manifest ↔ typed maps', () => {
  it('commands agree both ways, all in the "Profile Lens" category', () => {
    const manifest = (c.commands as { command: string; category?: string }[]).map((x) => x.command).sort();
    const map = Object.values(Commands).sort();
    assert.deepEqual(manifest, map);
    for (const cmd of c.commands) assert.equal(cmd.category, 'Profile Lens', cmd.command);
  });

  it('settings agree both ways, with equal defaults and a description each', () => {
    const props = c.configuration.properties as Record<string, { default: unknown; description?: string; markdownDescription?: string }>;
    assert.deepEqual(Object.keys(props).sort(), Object.values(Settings).sort());
    for (const [key, schema] of Object.entries(props)) {
      assert.deepEqual(schema.default, (SettingDefaults as Record<string, unknown>)[key], `default of ${key}`);
      assert.ok(schema.description || schema.markdownDescription, `description of ${key}`);
    }
  });

  it('context keys used in when clauses are ones the host sets', () => {
    const text = JSON.stringify(c);
    const used = new Set([...text.matchAll(/when":"([^"]*)"/g)].flatMap((m) => [...m[1].matchAll(/profileLens\.[A-Za-z.]+/g)].map((x) => x[0])));
    const known = new Set<string>([...Object.values(ContextKeys), ...Object.values(Views)]);
    for (const key of used) assert.ok(known.has(key), `when clause uses unknown context key ${key}`);
  });

  it('internal and test-only commands are hidden from the palette', () => {
    const hidden = new Set((c.menus.commandPalette as { command: string; when: string }[]).filter((m) => m.when === 'false').map((m) => m.command));
    for (const id of Object.values(Commands).filter((x) => x.includes('._test.') || x === Commands.openLocation)) assert.ok(hidden.has(id), id);
  });

  it('colours and views agree', () => {
    const colors = (c.colors as { id: string; defaults: Record<string, string> }[]).map((x) => x.id).sort();
    assert.deepEqual(colors, Object.values(Colors).sort());
    for (const col of c.colors) for (const theme of ['light', 'dark', 'highContrast']) assert.match(col.defaults[theme], /^#[0-9a-f]{6,8}$/i, `${col.id} ${theme}`);
    assert.ok(c.viewsContainers.activitybar.some((v: { id: string }) => v.id === Views.container));
    assert.ok(c.views[Views.container].some((v: { id: string }) => v.id === Views.hotspots));
  });
});
