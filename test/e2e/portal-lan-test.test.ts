import t from 'tap';
import { openBrowser } from '../support/browser.js';
import { MANAGER, startPortalWalk, WALK_PBX } from '../support/portal-walk.js';

/** The LAN PBX checks in once a minute (KDS lan.interval, at least 1): the test rides in one ack, its answer in a later check-in. */
const ANSWER_DEADLINE_MS = 150_000;

/**
 * "Test now" on a PBX with the LAN option, in Chromium against
 * `hicom-sim centre serve` and a real-time `hicom-sim lab` whose PBX checks
 * in over UDP (test/support/portal-walk.ts): the test rides in the ack to the
 * PBX's next check-in, the PBX raises its function test, and its answer
 * arrives on the page without a reload.
 */
t.test('"test now" on a LAN PBX in a real browser: the answer arrives live by its check-ins', { timeout: 240_000 }, async (t) => {
  const w = await startPortalWalk(t);
  const { page, problems } = await openBrowser(t);
  await page.goto(`${w.origin}/login`);
  await page.getByLabel('Login name').fill(MANAGER.name);
  await page.getByLabel('Password').fill(MANAGER.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/fleet$/);
  // The PBX must have checked in once, or the portal would not know it has the LAN option.
  await page.locator(`tr[data-device="${WALK_PBX}"]`, { hasNotText: 'No check-in yet' }).waitFor({ timeout: 90_000 });
  await page.goto(`${w.origin}/devices/${WALK_PBX}`);
  t.match(await page.locator('#test-h + p').textContent(), /rides in the answer to the device.s next check-in/, 'the page says the test rides in the next check-in\'s ack');
  await page.getByRole('button', { name: 'Test now' }).click();
  await page.locator('.notice').waitFor();
  const result = page.locator('[data-test-result]');
  t.match(await result.textContent(), /waiting for the device's answer \(up to \d+ s\)/, 'the page waits, and says how long');
  await page.locator('[data-test-result]', { hasText: 'Answer from the device' }).waitFor({ timeout: ANSWER_DEADLINE_MS });
  t.match(await result.textContent(), /Answer from the device: (function-test|command)/, "the PBX's answer appears without a reload");
  t.same(problems, [], 'no console errors (the CSP held)');
});
