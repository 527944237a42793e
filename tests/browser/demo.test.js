// `make demo` as a person uses it: the URL the demo printed first (the login page of
// its OpenCart 3 admin stand-in), one click on the demo login, then the Reverb module
// page's Products grid with the demo catalogue, Settings and the Sync log, and a
// product's Reverb tab. Started by demo_test.py with DEMO_URL and ARTIFACTS.
'use strict';
const { chromium } = require('playwright-core');
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const URL0 = process.env.DEMO_URL;
const ART = process.env.ARTIFACTS;
fs.mkdirSync(ART, { recursive: true });
const shot = (page, name) => page.screenshot({ path: path.join(ART, name + '.png'), fullPage: true });

const tests = [];
function test(name, fn) { tests.push({ name, fn }); }

async function login(page) {
  await page.goto(URL0);
  await page.waitForSelector('#demo-login');
  await Promise.all([page.waitForNavigation(), page.click('#demo-login')]);
  await page.waitForSelector('#reverb-settings');
}

test('the printed URL is the login page; one click logs in and opens Extensions > Modules > Reverb', async (page, context) => {
  await page.goto(URL0);
  await page.waitForSelector('#demo-login');
  assert.match(await page.textContent('.panel-title'), /Please enter your login details/);
  assert.equal((await context.cookies()).filter((c) => c.name === 'OCSESSID').length, 0, 'no session before the click');
  await shot(page, 'demo-login');
  await Promise.all([page.waitForNavigation(), page.click('#demo-login')]);
  const cookies = (await context.cookies()).filter((c) => c.name === 'OCSESSID');
  assert.equal(cookies.length, 1, 'the login set the OCSESSID cookie');
  assert.match(page.url(), /route=extension\/module\/reverb&user_token=[0-9a-f]{32}$/);
  await page.waitForSelector('#reverb-settings');
  assert.equal((await page.textContent('.page-header h1')).trim(), 'Reverb');
  assert.match(await page.textContent('#column-left'), /Extensions/);
  // Settings: the demo's token is saved (shown masked), the sync direction is both ways
  assert.notEqual(await page.getAttribute('#reverb-settings input[name=token]', 'placeholder'), '');
  assert.equal(await page.inputValue('#reverb-settings select[name=sync_mode]'), 'both_ways');
  await page.waitForSelector('#reverb-webhooks p');
  await shot(page, 'demo-settings');
});

test('Products: the demo catalogue in the grid with its Reverb state; filter by category; select all matching', async (page) => {
  await login(page);
  await page.click('a[data-tab=products]');
  await page.waitForSelector('#reverb-products tr[data-product-id="1001"]');
  const state = (id) => page.getAttribute('#reverb-products tr[data-product-id="' + id + '"] .reverb-prod-state .label', 'data-state');
  for (const id of [1001, 1002, 1003, 1004, 1005]) assert.equal(await state(id), 'draft', 'product ' + id + ' synced as a draft');
  assert.match(await page.textContent('#reverb-products tr[data-product-id="1001"]'), /Fender Player Stratocaster/);
  // OpenCart's own seed products are in the shop too, not enabled for Reverb
  assert.ok(Number((await page.textContent('#reverb-prod-showing')).match(/of (\d+)/)[1]) > 5);
  await page.selectOption('#reverb-prod-category', '100');
  await page.waitForFunction(() => document.querySelectorAll('#reverb-products tr[data-product-id]').length === 5);
  assert.match(await page.textContent('#reverb-prod-showing'), /of 5 /);
  await page.click('#reverb-prod-select-all');
  assert.match(await page.textContent('#reverb-prod-selinfo'), /^5 /);
  await shot(page, 'demo-products');
});

test('Sync log: the demo sync\'s five pushes', async (page) => {
  await login(page);
  await page.click('a[data-tab=log]');
  await page.waitForFunction(() => document.querySelectorAll('#reverb-log tbody tr[data-log-id]').length >= 5);
  const text = await page.textContent('#reverb-log');
  for (const sku of ['FEN-STRAT-PLY', 'GIB-LP-50S', 'BOSS-DS1', 'ROL-JC120-U', 'FEN-TELE-TL']) assert.ok(text.includes(sku), sku);
  await shot(page, 'demo-log');
});

test('a product\'s Reverb tab, reached from the grid', async (page) => {
  await login(page);
  await page.click('a[data-tab=products]');
  await page.waitForSelector('#reverb-products tr[data-product-id="1003"] a');
  await Promise.all([page.waitForNavigation(), page.click('#reverb-products tr[data-product-id="1003"] td:nth-child(2) a')]);
  await page.click('#demo-tab-reverb');
  await page.waitForSelector('#reverb-product #reverb-listing');
  assert.match(await page.textContent('#reverb-listing'), /\(Draft\)/);
  assert.ok(await page.isChecked('#reverb-product input[name=sync_enabled]'));
  await shot(page, 'demo-product');
});

test('Sales > Orders: the order imported from Reverb, with its Reverb panel', async (page) => {
  await login(page);
  await Promise.all([page.waitForNavigation(), page.click('#menu a:text-is("Orders")')]);
  await Promise.all([page.waitForNavigation(), page.click('table tbody tr:first-child a.btn')]);
  await page.waitForSelector('#reverb-order');
  assert.match(await page.textContent('#reverb-order'), /#70000001/);
  await shot(page, 'demo-order');
});

test('without the login the admin page sends you to the login page', async (page) => {
  const u = URL0.replace('route=common/login', 'route=extension/module/reverb&user_token=0123456789abcdef0123456789abcdef');
  await page.goto(u);
  await page.waitForSelector('#demo-login');
  assert.match(page.url(), /route=common\/login&redirect=/);
});

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let failed = 0;
  for (const t of tests) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const bad = [];         // a request the page made that failed: a missing stylesheet, font or script
    page.on('requestfailed', (r) => bad.push(r.url()));
    page.on('response', (r) => { if (r.status() >= 400) bad.push(r.status() + ' ' + r.url()); });
    try {
      await t.fn(page, context);
      await page.waitForTimeout(200);
      assert.deepEqual(pageErrors, [], 'errors in the page');
      assert.deepEqual(bad, [], 'failed requests');
      console.log('ok   ' + t.name);
    } catch (e) {
      failed++;
      console.log('FAIL ' + t.name + ': ' + (e && e.stack || e));
      await shot(page, 'FAILED-demo-' + t.name.replace(/\W+/g, '-')).catch(() => {});
    }
    await context.close();
  }
  await browser.close();
  console.log(`${tests.length - failed} passed, ${failed} failed (demo)`);
  process.exit(failed ? 1 : 0);
})();
