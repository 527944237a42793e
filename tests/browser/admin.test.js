// Headless Chromium tests of the admin UI against real Apache + mod_reverb +
// MariaDB + the fake Reverb. Started by run.py, which sets BASE_URL, OCSESSID,
// ARTIFACTS. Each test asserts on what the page shows; screenshots are kept.
'use strict';
const { chromium } = require('playwright-core');
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const BASE = process.env.BASE_URL;
const ART = process.env.ARTIFACTS;
fs.mkdirSync(ART, { recursive: true });

const tests = [];
function test(name, fn) { tests.push({ name, fn }); }

async function shot(page, name) {
  await page.screenshot({ path: path.join(ART, name + '.png'), fullPage: true });
}

async function lastAlert(page) {
  const el = page.locator('.reverb-alert').first();
  await el.waitFor({ timeout: 10000 });
  return (await el.textContent()).trim();
}

// Runs first, while the shop has no Reverb token yet (the first visit of a store owner).
test('first token: a good test clears the old error, saving loads conditions and webhooks', async (page) => {
  await page.goto(BASE + '/pages/module.html');
  await page.waitForSelector('#reverb-settings');
  await page.waitForFunction(() => /Enter your Reverb token/.test(document.querySelector('#reverb-webhooks').textContent));
  assert.equal(await page.locator('select[name=default_condition] option').count(), 1);
  await page.fill('input[name=token]', 'wrong-token-123');
  await page.click('#reverb-test');
  await page.waitForSelector('.alert-danger');
  await page.fill('input[name=token]', 'test-token');
  await page.click('#reverb-test');
  await page.waitForSelector('.alert-success');
  assert.equal(await page.locator('.reverb-alert').count(), 1);
  assert.match(await lastAlert(page), /Connected to the Reverb shop/);
  await page.click('#reverb-save');
  await page.waitForFunction(() => /Saved/.test((document.querySelector('.reverb-alert') || {}).textContent || ''));
  // without a reload: the conditions come from Reverb now, and the webhooks box
  // no longer asks for a token
  await page.waitForFunction(() => document.querySelectorAll('select[name=default_condition] option').length > 1);
  await page.waitForFunction(() => !/Enter your Reverb token/.test(document.querySelector('#reverb-webhooks').textContent)
    && document.querySelector('#reverb-webhooks').textContent.length > 0);
  assert.equal(await page.locator('.reverb-alert').count(), 1);
  await shot(page, 'first-token-saved');
});

test('save settings', async (page) => {
  await page.goto(BASE + '/pages/module.html');
  await page.waitForSelector('#reverb-settings');
  await page.fill('input[name=token]', 'test-token');
  await page.selectOption('select[name=status]', '1');
  await page.selectOption('select[name=sync_mode]', 'both_ways');
  await page.check('input[name=categories][value="100"]');
  await page.fill('input[name=store_url]', 'https://shop.example.com/');
  assert.equal(await page.inputValue('input[name=log_retention_days]'), '90');   // the default
  assert.match(await page.textContent('#reverb-settings'), /Keep the sync log for \(days\)/);
  await page.fill('input[name=log_retention_days]', '30');
  await page.click('#reverb-save');
  assert.match(await lastAlert(page), /Saved/);
  await page.reload();
  await page.waitForSelector('#reverb-settings');
  assert.equal(await page.inputValue('select[name=sync_mode]'), 'both_ways');
  assert.equal(await page.inputValue('input[name=log_retention_days]'), '30');
  assert.ok(await page.isChecked('input[name=categories][value="100"]'));
  const placeholder = await page.getAttribute('input[name=token]', 'placeholder');
  assert.ok(placeholder.endsWith('oken') && !placeholder.includes('test-token'), placeholder);
  await shot(page, 'settings-saved');
});

test('test connection: good and bad token', async (page) => {
  await page.goto(BASE + '/pages/module.html');
  await page.waitForSelector('#reverb-test');
  await page.click('#reverb-test');
  assert.match(await lastAlert(page), /Connected to the Reverb shop: Fake Music Shop AU/);
  await page.fill('input[name=token]', 'wrong-token-123');
  await page.click('#reverb-test');
  await page.waitForSelector('.alert-danger');
  const text = await page.locator('.alert-danger').first().textContent();
  assert.match(text, /did not accept the token/);
  assert.ok(!text.includes('wrong-token-123'));
  await shot(page, 'test-connection');
});

test('register webhooks', async (page) => {
  await page.goto(BASE + '/pages/module.html');
  await page.waitForSelector('#reverb-register');
  await page.click('#reverb-register');
  await page.waitForSelector('#reverb-webhooks .text-success');
  assert.match(await page.textContent('#reverb-webhooks'), /All webhooks are registered/);
});

test('map a category', async (page) => {
  await page.goto(BASE + '/pages/module.html');
  await page.click('a[data-tab=map]');
  const sel = page.locator('#reverb-map select[data-category="100"]');
  await sel.waitFor();
  const groups = await sel.locator('optgroup').evaluateAll((gs) => gs.map((g) => g.label));
  assert.ok(groups.includes('Effects and Pedals'), groups.join(','));
  // grouped by root_uuid under the root's name: a subcategory is an option, not a group
  assert.ok(!groups.some((g) => g.indexOf(' / ') >= 0), groups.join(','));
  const inPedals = await sel.locator('optgroup[label="Effects and Pedals"] option').evaluateAll((os) => os.map((o) => o.textContent));
  assert.deepEqual(inPedals, ['Effects and Pedals', 'Effects and Pedals / Distortion', 'Effects and Pedals / Delay']);
  await sel.selectOption('732e30f0-21cf-4960-a3d4-bb90c68081eb');
  await page.click('#reverb-map-save');
  assert.match(await lastAlert(page), /Saved/);
  await page.reload();
  await page.click('a[data-tab=map]');
  await page.locator('#reverb-map select[data-category="100"]').waitFor();
  assert.equal(await page.inputValue('#reverb-map select[data-category="100"]'), '732e30f0-21cf-4960-a3d4-bb90c68081eb');
  await shot(page, 'category-map');
});

test('toggle a product and sync it', async (page) => {
  await page.goto(BASE + '/pages/product.html');
  await page.waitForSelector('#reverb-product');
  await page.check('input[name=sync_enabled]');
  await page.selectOption('select[name=condition_uuid]', '7c3f45de-2ae0-4c81-8400-fdb6b1d74890');
  await page.click('#reverb-product-sync');
  assert.match(await lastAlert(page), /Saved/);
  let listing = '';
  for (let i = 0; i < 40 && !/View on Reverb/.test(listing); i++) {
    await page.waitForTimeout(500);
    await page.reload();
    await page.waitForSelector('#reverb-listing');
    listing = await page.textContent('#reverb-listing');
  }
  assert.match(listing, /\d+ \(draft\) View on Reverb/);
  // the link Reverb gave (its _links.web), and only because it is on reverb.com
  assert.match(await page.getAttribute('#reverb-listing a', 'href'), /^https:\/\/reverb\.com\/au\/item\/\d+-/);
  await shot(page, 'product-synced');
});

test('sync now shows the result of the push without a reload (here: no SKU)', async (page) => {
  await page.goto(BASE + '/pages/product-nosku.html');
  await page.waitForSelector('#reverb-product');
  assert.equal(await page.textContent('#reverb-last-error'), '');
  await page.check('input[name=sync_enabled]');
  await page.selectOption('select[name=condition_uuid]', '7c3f45de-2ae0-4c81-8400-fdb6b1d74890');
  await page.click('#reverb-product-sync');
  assert.match(await lastAlert(page), /queued for Reverb/);
  await page.waitForFunction(() => /no SKU/.test(document.querySelector('#reverb-last-error').textContent));
  assert.equal(await page.locator('.reverb-alert').count(), 1);
  await shot(page, 'product-sync-no-sku');
  // off again, so that 'sync all' below counts the 30 pedals only
  await page.uncheck('input[name=sync_enabled]');
  await page.click('#reverb-product-save');
  assert.match(await lastAlert(page), /Saved\.$/);
});

test('sync all: progress bar reaches 100%', async (page) => {
  // enable more products through the API, as the product tab would
  for (let i = 1; i < 30; i++) {
    const r = await page.request.post(BASE + '/reverb/admin/product/' + (6000 + i) + '?user_token=' + process.env.TOKEN,
      { data: { sync_enabled: 1, condition_uuid: '7c3f45de-2ae0-4c81-8400-fdb6b1d74890' } });
    assert.equal(r.status(), 200);
  }
  await page.goto(BASE + '/pages/module.html');
  await page.click('a[data-tab=sync]');
  await page.waitForSelector('#reverb-sync-all:not([disabled])');
  await page.click('#reverb-sync-all');
  await page.waitForFunction(() => document.querySelector('#reverb-progress-bar').textContent === '100%', null, { timeout: 60000 });
  assert.match(await page.textContent('#reverb-progress-text'), /Sync finished: 30 of 30 done, 0 failed/);
  assert.ok(!(await page.isDisabled('#reverb-sync-all')));
  await shot(page, 'sync-done');
  await page.click('#reverb-import');
  await page.waitForFunction(() => /Orders imported/.test(document.querySelector('#reverb-import-result').textContent));
});

test('page and filter the log', async (page) => {
  await page.goto(BASE + '/pages/module.html');
  await page.click('a[data-tab=log]');
  await page.waitForSelector('#reverb-log tbody tr[data-log-id]');
  assert.equal(await page.locator('#reverb-log tbody tr').count(), 20);
  assert.match(await page.textContent('#reverb-log-page'), /1 \/ \d+/);
  const firstBefore = await page.getAttribute('#reverb-log tbody tr >> nth=0', 'data-log-id');
  await page.click('#reverb-log-next');
  await page.waitForFunction((id) => document.querySelector('#reverb-log tbody tr').getAttribute('data-log-id') !== id, firstBefore);
  assert.match(await page.textContent('#reverb-log-page'), /2 \/ \d+/);
  await page.selectOption('#reverb-log-direction', 'pull');
  await page.waitForFunction(() => /1 \//.test(document.querySelector('#reverb-log-page').textContent));
  const dirs = await page.locator('#reverb-log tbody tr[data-log-id] td:nth-child(4)').allTextContents();
  assert.ok(dirs.every((d) => d === 'pull'), dirs.join(','));
  await page.selectOption('#reverb-log-direction', 'push');
  await page.fill('#reverb-log-product', '6000');
  await page.press('#reverb-log-product', 'Enter');
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('#reverb-log tbody tr[data-log-id]');
    return rows.length > 0 && Array.prototype.every.call(rows, (r) => /Browser Pedal 0/.test(r.textContent));
  });
  assert.match(await page.textContent('#reverb-log'), /View on Reverb/);
  await shot(page, 'log-filtered');
});

async function productsTab(page) {
  await page.goto(BASE + '/pages/module.html');
  await page.click('a[data-tab=products]');
  await page.waitForSelector('#reverb-products tbody tr[data-product-id]');
  await page.waitForSelector('#reverb-prod-category option[value="100"]', { state: 'attached' });
}

async function gridStates(page) {
  return page.locator('#reverb-products tbody td.reverb-prod-state .label').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-state')));
}

async function filterBy(page, q) {
  const before = await page.textContent('#reverb-prod-showing');
  await page.fill('#reverb-prod-q', q);
  await page.press('#reverb-prod-q', 'Enter');
  await page.waitForFunction((b) => document.querySelector('#reverb-prod-showing').textContent !== b, before);
}

test('products tab: filters and the state column', async (page) => {
  await productsTab(page);
  assert.match(await page.textContent('#reverb-prod-showing'), /Showing 1 to 25 of \d+ \(\d+ Pages\)/);
  await filterBy(page, 'Browser Amp');
  assert.match(await page.textContent('#reverb-prod-showing'), /of 40 \(2 Pages\)/);
  assert.deepEqual([...new Set(await gridStates(page))], ['not_enabled']);
  assert.match(await page.textContent('#reverb-products tbody td.reverb-prod-state'), /Not enabled/);
  // out of stock only
  await page.selectOption('#reverb-prod-stock', '0');
  await page.waitForFunction(() => /of 20 \(/.test(document.querySelector('#reverb-prod-showing').textContent));
  const qty = await page.locator('#reverb-products tbody tr td:nth-child(5)').allTextContents();
  assert.ok(qty.every((q) => q === '0'), qty.join(','));
  // the pedals were listed by "Sync all": Reverb state filter
  await page.selectOption('#reverb-prod-stock', '');
  await page.fill('#reverb-prod-q', 'Browser Pedal');
  await page.selectOption('#reverb-prod-state', 'draft');
  await page.waitForFunction(() => /of 30 \(/.test(document.querySelector('#reverb-prod-showing').textContent));
  assert.deepEqual([...new Set(await gridStates(page))], ['draft']);
  const links = await page.locator('#reverb-products tbody td:nth-child(10) a').evaluateAll((as) => as.map((a) => a.href));
  assert.ok(links.length === 25 && links.every((l) => l.startsWith('https://reverb.com/')), links.join(','));
  const synced = await page.locator('#reverb-products tbody td:nth-child(12)').allTextContents();
  assert.ok(synced.every((t) => /\d/.test(t) && !/Z$/.test(t)), synced.join(','));
  await shot(page, 'products-draft');
  // the next page
  await page.click('#reverb-prod-next');
  await page.waitForFunction(() => /Showing 26 to 30 of 30/.test(document.querySelector('#reverb-prod-showing').textContent));
});

test('products tab: select all matching, set condition, bulk enable with progress', async (page) => {
  await productsTab(page);
  await filterBy(page, 'Browser Amp');
  await page.selectOption('#reverb-prod-stock', '1');
  await page.waitForFunction(() => /of 20 \(/.test(document.querySelector('#reverb-prod-showing').textContent));
  assert.match(await page.textContent('#reverb-prod-showing'), /of 20 \(1 Pages\)/);
  assert.ok(await page.isDisabled('#reverb-prod-apply'));
  // one row, then the page, then everything matching
  await page.check('#reverb-products tbody tr[data-product-id="6100"] input[type=checkbox]');
  assert.match(await page.textContent('#reverb-prod-selinfo'), /^1 selected/);
  await page.click('#reverb-prod-select-all');
  assert.match(await page.textContent('#reverb-prod-selinfo'), /^20 selected/);
  await page.selectOption('#reverb-prod-action', 'condition');
  await page.waitForSelector('#reverb-prod-value option[value="7c3f45de-2ae0-4c81-8400-fdb6b1d74890"]', { state: 'attached' });
  await page.selectOption('#reverb-prod-value', '7c3f45de-2ae0-4c81-8400-fdb6b1d74890');
  await page.click('#reverb-prod-apply');
  assert.match(await lastAlert(page), /Done: 20 products selected, 20 changed, 0 sent/);
  await page.waitForFunction(() => document.querySelectorAll('#reverb-products tbody td:nth-child(8)')[0].textContent === 'Brand New');
  await page.click('#reverb-prod-select-all');
  await page.selectOption('#reverb-prod-action', 'enable');
  await page.click('#reverb-prod-apply');
  await page.waitForFunction(() => /Done: 20 products selected, 20 changed, 20 sent/.test(document.querySelector('.reverb-alert').textContent));
  assert.equal(await page.locator('.reverb-alert').count(), 1);             // replaced, never stacked
  await page.waitForSelector('#reverb-prod-progress', { state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#reverb-prod-progress-bar').textContent === '100%', null, { timeout: 60000 });
  assert.match(await page.textContent('#reverb-prod-progress-text'), /Sent to Reverb: 20 of 20 done/);
  await page.waitForFunction(() => {
    const ls = document.querySelectorAll('#reverb-products tbody td.reverb-prod-state .label');
    return ls.length === 20 && Array.prototype.every.call(ls, (l) => l.getAttribute('data-state') === 'draft');
  }, null, { timeout: 20000 });
  const sync = await page.locator('#reverb-products tbody td.reverb-prod-sync').allTextContents();
  assert.ok(sync.every((t) => t === 'On'), sync.join(','));
  await shot(page, 'products-bulk-enabled');
  // the out-of-stock half was not touched
  await page.selectOption('#reverb-prod-stock', '0');
  await page.waitForFunction(() => /of 20 \(/.test(document.querySelector('#reverb-prod-showing').textContent)
    && document.querySelector('#reverb-products tbody td.reverb-prod-sync').textContent === 'Off');
  assert.deepEqual([...new Set(await gridStates(page))], ['not_enabled']);
});

test('field mapping: choose where fields come from, preview a listing and a product with no make', async (page) => {
  // the guitar has its own condition (this shop has no default one); sync stays off
  for (const pid of [6300, 6301]) {
    const r = await page.request.post(BASE + '/reverb/admin/product/' + pid + '?user_token=' + process.env.TOKEN,
      { data: { sync_enabled: 0, condition_uuid: '7c3f45de-2ae0-4c81-8400-fdb6b1d74890' } });
    assert.equal(r.status(), 200);
  }
  await page.goto(BASE + '/pages/module.html');
  await page.waitForSelector('#reverb-fieldmap');
  assert.equal(await page.inputValue('select[name=fm_src_make]'), 'manufacturer');       // the defaults
  assert.equal(await page.inputValue('select[name=fm_src_model]'), 'model');
  assert.equal(await page.inputValue('select[name=fm_src_year]'), 'none');
  assert.ok(!(await page.isVisible('select[name=fm_attr_make]')));
  await page.selectOption('select[name=fm_src_make]', 'attribute');
  assert.ok(await page.isVisible('select[name=fm_attr_make]'));
  // the shop's own attribute names are offered
  const names = await page.locator('select[name=fm_attr_make] option').allTextContents();
  assert.ok(['Brand', 'Finish', 'Year made'].every((n) => names.includes(n)), names.join(','));
  await page.selectOption('select[name=fm_attr_make]', 'Brand');
  await page.selectOption('select[name=fm_src_finish]', 'attribute');
  await page.selectOption('select[name=fm_attr_finish]', 'Finish');
  await page.selectOption('select[name=fm_src_year]', 'attribute');
  await page.selectOption('select[name=fm_attr_year]', 'Year made');
  await page.click('#reverb-save');
  assert.match(await lastAlert(page), /Saved/);
  await page.waitForSelector('#reverb-fieldmap');
  assert.equal(await page.inputValue('select[name=fm_src_make]'), 'attribute');
  assert.equal(await page.inputValue('select[name=fm_attr_make]'), 'Brand');
  // preview: one match is shown at once
  await page.fill('#reverb-preview-q', 'Mapping Guitar');
  await page.press('#reverb-preview-q', 'Enter');
  await page.waitForSelector('#reverb-preview-table');
  const rows = await page.locator('#reverb-preview-table tr').evaluateAll((trs) => trs.map((tr) => tr.children[0].textContent + '=' + tr.children[1].textContent));
  assert.deepEqual(rows, ['Title=Mapping Guitar Jazzmaster', 'Make=Fender & Co', 'Model=M-6300', 'Finish=Sonic Blue', 'Year=1962',
    'Handedness=(not sent)', 'Number of strings=(not sent)', 'SKU=MAP-1', 'Price=2100.00 AUD']);
  assert.match(await page.textContent('#reverb-preview-out'), /A new listing would be created/);
  assert.match(await page.textContent('#reverb-preview-out'), /Sync is off for this product/);
  await page.locator('#reverb-fieldmap-section').scrollIntoViewIfNeeded();
  await shot(page, 'field-mapping-preview');
  // a product with no make: the error in plain words, no table
  await page.fill('#reverb-preview-q', 'Mapping Bass');
  await page.click('#reverb-preview-find');
  await page.waitForSelector('#reverb-preview-error');
  assert.match(await page.textContent('#reverb-preview-error'), /Not listed: "Mapping Bass Without Make" has no make: its "Brand" attribute is empty or missing/);
  assert.equal(await page.locator('#reverb-preview-table').count(), 0);
  await shot(page, 'field-mapping-no-make');
  // an unknown source is refused in plain words, next to nothing written
  const bad = await page.request.post(BASE + '/reverb/admin/settings?user_token=' + process.env.TOKEN,
    { data: { field_map: { make: { source: 'sku' } } } });
  assert.equal(bad.status(), 400);
  assert.match((await bad.json()).error.message, /Make cannot come from "sku"/);
  // back to the defaults for the tests after this one
  await page.selectOption('select[name=fm_src_make]', 'manufacturer');
  await page.selectOption('select[name=fm_src_finish]', 'none');
  await page.selectOption('select[name=fm_src_year]', 'none');
  await page.click('#reverb-save');
  assert.match(await lastAlert(page), /Saved/);
  await page.waitForSelector('#reverb-fieldmap');
  assert.equal(await page.inputValue('select[name=fm_src_make]'), 'manufacturer');
});

test('expired session shows the login prompt', async (page, context) => {
  await context.clearCookies();
  await page.goto(BASE + '/pages/module.html');
  const alert = await lastAlert(page);
  assert.match(alert, /session has expired/);
  assert.equal(await page.getAttribute('.reverb-alert a.alert-link', 'href'), '/login');
});

test('a user whose group has no access is told so in plain words', async (page, context) => {
  await context.clearCookies();
  await context.addCookies([{ name: 'OCSESSID', value: process.env.RO_OCSESSID, url: BASE }]);
  await page.goto(BASE + '/pages/module-refused.html');
  const alert = await lastAlert(page);
  assert.match(alert, /no permission to see the Reverb module/);
  assert.equal(await page.locator('#reverb-settings input[name=token]').count(), 0);
  await shot(page, 'refused');
});

/* ---- OpenCart 4.0.2.x stand-in pages (Bootstrap 5, data-ui="bs5", mod_reverb at
   /admin/reverb). The admin cookie has path /admin/, the storefront's (an empty session)
   path /, as a real 4.0 shop sets them: the browser sends both to /admin/reverb. */
async function oc4(context) {
  const u = new URL(BASE);
  await context.clearCookies();
  await context.addCookies([
    { name: 'OCSESSID', value: process.env.OCSESSID, domain: u.hostname, path: '/admin/' },
    { name: 'OCSESSID', value: process.env.SHOP_OCSESSID, domain: u.hostname, path: '/' }]);
}

test('oc4: module page in Bootstrap 5 markup saves settings', async (page, context) => {
  await oc4(context);
  await page.goto(BASE + '/admin/pages4/module.html');
  await page.waitForSelector('#reverb-settings');
  // the shared app, with the adapter's Bootstrap 5 classes
  assert.equal(await page.locator('#reverb-admin .panel, #reverb-admin .pull-right, #reverb-admin .btn-default').count(), 0);
  assert.ok(await page.locator('#reverb-admin .card .card-body').count() >= 1);
  assert.equal(await page.locator('#reverb-admin .nav-tabs li.nav-item a.nav-link.active').textContent(), 'Settings');
  assert.match(await page.getAttribute('select[name=sync_mode]', 'class'), /\bform-select\b/);
  assert.ok(await page.locator('#reverb-settings .row.mb-3 > label.col-form-label').count() >= 5);
  await page.selectOption('select[name=sync_mode]', 'one_way');
  await page.click('#reverb-save');
  assert.match(await lastAlert(page), /Saved/);
  assert.equal(await page.locator('.reverb-alert button.btn-close').count(), 1);
  await page.click('a[data-tab=log]');
  await page.waitForSelector('#reverb-log');
  assert.equal(await page.locator('#reverb-admin .nav-link.active').textContent(), 'Sync log');
  assert.ok(await page.isVisible('#reverb-tab-log') && !(await page.isVisible('#reverb-tab-settings')));
  assert.match(await page.getAttribute('#reverb-log', 'class'), /\btable-sm\b/);
  await shot(page, 'oc4-module');
});

test('oc4: the field mapping and its preview in Bootstrap 5 markup', async (page, context) => {
  await oc4(context);
  await page.goto(BASE + '/admin/pages4/module.html');
  await page.waitForSelector('#reverb-fieldmap');
  assert.match(await page.getAttribute('select[name=fm_src_make]', 'class'), /\bform-select\b/);
  assert.match(await page.getAttribute('#reverb-fieldmap', 'class'), /\btable-sm\b/);
  await page.fill('#reverb-preview-q', 'Mapping Guitar');
  await page.press('#reverb-preview-q', 'Enter');
  await page.waitForSelector('#reverb-preview-table');
  assert.match(await page.textContent('#reverb-preview-table'), /MakeTestmaker/);       // the default: the manufacturer
  await page.locator('#reverb-fieldmap-section').scrollIntoViewIfNeeded();
  await shot(page, 'oc4-field-mapping');
});

test('oc4: Reverb tab of the product form toggles and syncs', async (page, context) => {
  await oc4(context);
  await page.goto(BASE + '/admin/pages4/product.html');
  await page.click('a[href="#tab-reverb"]');
  await page.waitForSelector('#form-product #tab-reverb #reverb-product');
  assert.ok(await page.isVisible('#reverb-product') && !(await page.isVisible('#tab-general input')));
  await page.check('#reverb-product input[name=sync_enabled]');
  await page.selectOption('#reverb-product select[name=condition_uuid]', '7c3f45de-2ae0-4c81-8400-fdb6b1d74890');
  await page.click('#reverb-product-sync');
  assert.match(await lastAlert(page), /Saved/);
  let listing = '';
  for (let i = 0; i < 40 && !/View on Reverb/.test(listing); i++) {
    await page.waitForTimeout(500);
    await page.reload();
    await page.click('a[href="#tab-reverb"]');
    await page.waitForSelector('#reverb-listing');
    listing = await page.textContent('#reverb-listing');
  }
  assert.match(listing, /\d+ \(draft\) View on Reverb/);
  await shot(page, 'oc4-product-tab');
});

test('oc4: Reverb panel in the order page tabs', async (page, context) => {
  await oc4(context);
  await page.goto(BASE + '/admin/pages4/order.html');
  await page.click('a[href="#tab-reverb"]');
  await page.waitForSelector('#tab-reverb #reverb-order.card');
  assert.match(await page.textContent('#reverb-order .card-header'), /Reverb/);
  assert.match(await page.textContent('#reverb-order'), /#9001 .*View on Reverb/);
  await page.fill('#reverb-order input[name=tracking_number]', 'AP123');
  await page.click('#reverb-ship');
  await page.waitForFunction(() => /AP123/.test(document.querySelector('#reverb-shipped').textContent));
  await shot(page, 'oc4-order-panel');
});

test('oc4: without the admin cookie (path /admin/) the page asks to log in again', async (page, context) => {
  const u = new URL(BASE);
  await context.clearCookies();
  await context.addCookies([{ name: 'OCSESSID', value: process.env.SHOP_OCSESSID, domain: u.hostname, path: '/' }]);
  await page.goto(BASE + '/admin/pages4/module.html');
  assert.match(await lastAlert(page), /session has expired/);
});

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let failed = 0;
  for (const t of tests) {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'OCSESSID', value: process.env.OCSESSID, url: BASE }]);
    const page = await context.newPage();
    const pageErrors = [];     // uncaught exceptions and unhandled rejections in the page
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await t.fn(page, context);
      await page.waitForTimeout(200);
      assert.deepEqual(pageErrors, [], 'errors in the page');
      console.log('ok   ' + t.name);
    } catch (e) {
      failed++;
      console.log('FAIL ' + t.name + ': ' + (e && e.stack || e));
      await shot(page, 'FAILED-' + t.name.replace(/\W+/g, '-')).catch(() => {});
    }
    await context.close();
  }
  await browser.close();
  console.log(`${tests.length - failed} passed, ${failed} failed (browser)`);
  process.exit(failed ? 1 : 0);
})();
