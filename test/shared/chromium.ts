/**
 * Debian's Chromium for the browser tests (playwright-core drives it): whether the test runs, and
 * the launch with the flags stack.md lists for this machine. A missing browser skips the test with
 * a message that says how to install it, except when KEYWARD_TEST_REQUIRE_SERVICES=1 (CI), where it
 * is a failure.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The `skip` option of a browser test: false, or why it is skipped. `what` names the test. */
export function chromiumSkip(what: string): string | false {
  const available = existsSync(CHROMIUM);
  const required = process.env.KEYWARD_TEST_REQUIRE_SERVICES === '1';
  return !available && !required ? `${CHROMIUM} is missing (apt-get install chromium): ${what} is skipped` : false;
}

/** Launches Chromium headless; fails clearly when it is required but missing. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `KEYWARD_TEST_REQUIRE_SERVICES=1 but ${CHROMIUM} is missing: apt-get install chromium`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
