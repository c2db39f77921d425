/**
 * The workbench loads with the extension (development mode) and its commands are in the command palette
 * under "Profile Lens", and its view container is in the activity bar.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../vscode/runner/tools';
import { openWorkbench, type Workbench } from './harness/workbench';

interface Cmd { command: string; title: string; category?: string }
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const commands: Cmd[] = manifest.contributes?.commands ?? [];
const paletteRules: { command: string; when?: string }[] = manifest.contributes?.menus?.commandPalette ?? [];
/** commands the palette shows before any profile is loaded: no commandPalette `when` restricting them */
const alwaysShown = commands.filter((c) => !paletteRules.some((r) => r.command === c.command && r.when));

describe('workbench with Profile Lens', () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench();
  });
  after(async () => wb?.close());

  it('lists the Profile Lens commands in the command palette', async () => {
    assert.ok(alwaysShown.length > 0, 'the manifest contributes palette commands');
    const first = `${alwaysShown[0].category ? `${alwaysShown[0].category}: ` : ''}${alwaysShown[0].title}`;
    const labels = await wb.paletteEntries('Profile Lens', { until: first, keepOpen: true });
    const shot = await wb.screenshot('workbench-palette');
    await wb.page.keyboard.press('Escape');
    for (const c of alwaysShown) {
      const want = `${c.category ? `${c.category}: ` : ''}${c.title}`;
      assert.ok(labels.some((l) => l.includes(want)), `palette lacks "${want}"; it shows: ${labels.join(' | ')} (${shot})`);
    }
  });

  it('shows the Profile Lens view container in the activity bar', async () => {
    const containers = manifest.contributes?.viewsContainers?.activitybar ?? [];
    assert.ok(containers.length > 0, 'the manifest contributes an activity bar container');
    const item = wb.page.locator(`.activitybar .action-item [aria-label*="${containers[0].title}"]`).first();
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    await item.click();
    // a single view's header is folded into the container's title
    await wb.page.locator('.sidebar .composite.title', { hasText: new RegExp(containers[0].title, 'i') }).first().waitFor({ timeout: 15_000 });
    await wb.page.locator('.sidebar .pane-body').first().waitFor({ state: 'visible', timeout: 15_000 });
    await wb.screenshot('workbench-view');
  });
});
