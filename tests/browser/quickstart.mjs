// Drives the quickstart (with the embedded dev instance) in headless Chromium:
// sign-in redirect → sign in → dashboard → token expiry and refresh → org-role guard for a member
// and an admin → sign out → redirected again. Screenshots go to $ARTIFACTS (default ../../artifacts/browser).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';

const app = process.env.APP_URL ?? 'http://127.0.0.1:3400';
const devOrigin = process.env.DEV_URL ?? 'http://127.0.0.1:3401';
const tokenLifetime = Number(process.env.TOKEN_LIFETIME ?? 60);
const artifacts = process.env.ARTIFACTS ?? new URL('../../artifacts/browser/', import.meta.url).pathname;
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext();
const page = await context.newPage();
let step = 0;
const shot = async (name) => page.screenshot({ path: `${artifacts}/${String(++step).padStart(2, '0')}-${name}.png`, fullPage: true });
const log = (msg) => console.log(`✓ ${msg}`);
// All session cookies (plain and suffixed), as one comparable string.
const sessionCookies = async () => (await context.cookies(app))
  .filter((c) => c.name === '__session' || c.name.startsWith('__session_'))
  .map((c) => `${c.name}=${c.value}`).sort().join('; ');

async function signIn(email) {
  assert.equal(new URL(page.url()).origin, devOrigin, `expected the dev instance sign-in page, got ${page.url()}`);
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await shot(`sign-in-${email.split('@')[0]}`);
  await page.click(`button[data-email="${email}"]`);
}

try {
  // 1. Signed out: the protected page redirects to sign-in.
  await page.goto(`${app}/dashboard`);
  await signIn('demo@example.com');
  log('/dashboard redirected a signed-out browser to sign-in');

  // 2. Back on the dashboard with the user's name (fetched from the Backend API).
  await page.waitForURL(`${app}/dashboard`);
  assert.equal((await page.textContent('#user-name'))?.trim(), 'Demo User');
  await shot('dashboard');
  log('signed in as Demo User, back on /dashboard');

  // 3. Past the token's lifetime (plus the 5 s clock skew): still signed in, through refresh or handshake.
  const before = await sessionCookies();
  const wait = tokenLifetime + 5 + 2;
  await page.waitForTimeout(wait * 1000);
  const response = await page.reload();
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  assert.equal(response.status(), 200);
  assert.equal((await page.textContent('#user-name'))?.trim(), 'Demo User');
  const after = await sessionCookies();
  assert.ok(before && after && before !== after, 'a new session token was issued');
  await shot('dashboard-after-refresh');
  log(`still signed in after ${wait}s (token lifetime ${tokenLifetime}s), with a fresh session token`);

  // 4. A member is denied the admin page (signed in, lacking the role → 403).
  const denied = await page.goto(`${app}/admin`);
  assert.equal(denied.status(), 403);
  await shot('admin-denied-member');
  log('/admin denied to a member (403)');

  // 5. Sign out, sign in as the admin, who is allowed.
  await page.goto(`${app}/`);
  await page.click('#sign-out');
  await page.waitForURL(`${app}/`);
  assert.match(await page.textContent('#status'), /signed out/);
  await page.goto(`${app}/admin`);
  await signIn('admin@example.com');
  await page.waitForURL(`${app}/admin`);
  assert.match(await page.textContent('#admin'), /admin area of/);
  await shot('admin-allowed');
  log('/admin allowed to the admin');

  // 6. Sign out: the dashboard redirects to sign-in again.
  await page.click('#sign-out');
  await page.waitForURL(`${app}/`);
  await page.goto(`${app}/dashboard`);
  assert.equal(new URL(page.url()).origin, devOrigin);
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await shot('signed-out-redirect');
  log('after sign-out, /dashboard redirects to sign-in again');
  console.log(`browser test passed; screenshots in ${artifacts}`);
} catch (err) {
  await shot('failure').catch(() => {});
  console.error(`browser test failed at ${page.url()}:`, err);
  process.exitCode = 1;
} finally {
  await browser.close();
}
