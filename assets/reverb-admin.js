/* reverb-admin.js: the OpenCart admin UI for mod_reverb (served by the module
 * at /reverb/admin/assets/reverb-admin.js). One file, no build step, plain
 * DOM + fetch, Bootstrap 3 markup as OpenCart 3 uses. Each container
 * <div class="reverb-admin" data-view="module|product|order" ...> carries
 * the mod_reverb base path, the admin's user_token, the login URL and the
 * language strings (JSON) rendered by the twig. OpenCart 4's twigs add
 * data-ui="bs5": the markup is then Bootstrap 5's, through the small class
 * adapter below; everything else is the same app. */
(function () {
  'use strict';

  /* 'bs3' (OpenCart 3) or 'bs5' (OpenCart 4), from the container's data-ui. */
  var UI = 'bs3';
  var BS5 = {
    'pull-right': 'float-end', 'text-right': 'text-end', 'panel': 'card', 'panel-default': '',
    'panel-heading': 'card-header', 'panel-title': 'card-title mb-0', 'panel-body': 'card-body',
    'form-group': 'row mb-3', 'control-label': 'col-form-label', 'help-block': 'form-text',
    'checkbox-inline': 'form-check-label me-3', 'checkbox': 'form-check', 'input-group-btn': '',
    'well': 'border rounded p-2', 'well-sm': '', 'btn-default': 'btn-light', 'close': 'btn-close',
    'input-sm': 'form-control-sm w-auto', 'table-condensed': 'table-sm', 'danger': 'table-danger',
    'progress-bar-warning': 'bg-warning', 'progress-bar-success': 'bg-success',
    'form-inline': 'd-flex flex-wrap gap-2 align-items-center', 'form-horizontal': ''
  };

  /* Bootstrap 3 class names as the app writes them -> the page's own. */
  function cls(tag, c) {
    if (UI !== 'bs5' || typeof c !== 'string') return c;
    return c.split(/\s+/).map(function (k) {
      if (tag === 'select' && k === 'form-control') return 'form-select';
      if (tag === 'select' && k === 'input-sm') return 'form-select-sm w-auto';
      return Object.prototype.hasOwnProperty.call(BS5, k) ? BS5[k] : k;
    }).filter(Boolean).join(' ');
  }

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'class') { if (attrs[k] !== null && attrs[k] !== undefined) el.setAttribute('class', cls(tag, attrs[k])); }
      else if (k === 'text') el.textContent = attrs[k];
      else if (k === 'html') el.innerHTML = attrs[k];
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) el.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return el;
  }

  // Links to Reverb only: https://reverb.com/... as sent, else built from a numeric id.
  function reverbLink(url, id) {
    if (typeof url === 'string' && /^https:\/\/reverb\.com\/[^\s"'<>\\`]*$/.test(url)) return url;
    return /^[0-9]{1,19}$/.test(String(id)) ? 'https://reverb.com/item/' + id : null;
  }

  function fmt(s, vars) {
    return String(s).replace(/%(\w+)%/g, function (m, k) { return vars[k] === null || vars[k] === undefined ? '?' : vars[k]; })
      .replace('%s', vars.s === undefined ? '' : vars.s);
  }

  function App(root) {
    this.root = root;
    UI = root.getAttribute('data-ui') === 'bs5' ? 'bs5' : 'bs3';
    this.base = root.getAttribute('data-base') || '/reverb';
    this.token = root.getAttribute('data-token') || '';
    this.login = root.getAttribute('data-login') || 'index.php?route=common/login';
    try { this.t = JSON.parse(root.getAttribute('data-strings') || '{}'); } catch (e) { this.t = {}; }
  }

  App.prototype.s = function (key) { return this.t[key] || key; };

  /* Every call carries user_token, in a header so that it stays out of
   * access logs; 401 means the OpenCart session expired. */
  App.prototype.api = function (method, path, body) {
    var self = this;
    var url = this.base + '/admin/' + path;
    var opts = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json', 'X-OC-User-Token': this.token } };
    if (method !== 'GET') { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body || {}); }
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401) { self.expired(); throw apiError(self.s('text_session_expired'), 'session_expired', 401); }
        if (!r.ok) throw self.apiError(data.error, r.status);
        return data;
      });
    });
  };

  function apiError(message, code, status, field) {
    var e = new Error(message);
    e.code = code || null; e.status = status; e.field = field || null;
    return e;
  }

  /* The engine's error as an Error with its code and field; codes the language
   * file words itself (error_code_<code>) are shown in its words. */
  App.prototype.apiError = function (err, status) {
    var code = err && typeof err.code === 'string' ? err.code : null;
    var msg = code && this.t['error_code_' + code] ? this.t['error_code_' + code]
      : (err && err.message) || fmt(this.s('text_http_error'), { status: status });
    return apiError(msg, code, status, err && typeof err.field === 'string' ? err.field : null);
  };

  /* Where "Log in" goes: OpenCart shows its login form at the page's own
   * address without the old user_token and comes back to it afterwards. */
  App.prototype.loginHref = function () {
    var loc = window.location;
    if (!/(^\?|&)route=/.test(loc.search)) return this.login;
    return loc.pathname + '?' + loc.search.slice(1).split('&').filter(function (kv) {
      return kv && !/^user_token=/.test(kv);
    }).join('&');
  };

  /* One "session expired" alert, whatever failed: a later failure replaces it. */
  App.prototype.expired = function () {
    if (this.expiredAlert) this.expiredAlert.remove();
    this.expiredAlert = null;
    this.expiredAlert = this.alert('danger', this.s('text_session_expired'), { href: this.loginHref(), text: this.s('text_login') });
    this.expiredAlert.classList.add('reverb-expired');
  };

  App.prototype.alert = function (kind, text, link, where) {
    /* the failed call's own handler repeats the expired message: one is shown */
    if (!link && this.expiredAlert && this.expiredAlert.parentNode && text === this.s('text_session_expired')) return this.expiredAlert;
    var box = where || this.root.querySelector('.reverb-alerts') || this.root;
    var a = h('div', { 'class': 'alert alert-' + kind + ' alert-dismissible reverb-alert', role: 'alert' },
      [h('button', { type: 'button', 'class': 'close', 'aria-label': this.s('button_close'), onclick: function () { a.remove(); },
        text: UI === 'bs5' ? '' : '\u00d7' }), text,
       link ? h('a', { href: link.href, 'class': 'alert-link', text: ' ' + link.text }) : null]);
    box.insertBefore(a, box.firstChild);
    return a;
  };

  /* A button's answer replaces the answers of earlier presses: a "Connected"
   * must not stand under an older "Reverb did not accept the token". */
  App.prototype.clearAlerts = function () {
    Array.prototype.forEach.call(this.root.querySelectorAll('.reverb-alerts > .reverb-alert'), function (a) { a.remove(); });
  };

  App.prototype.guard = function (p, where) {
    var self = this;
    return p.catch(function (e) { self.alert('danger', e.message, null, where); throw e; });
  };

  /* ---------------------------------------------------------------- module page */

  App.prototype.module = function () {
    var self = this, s = this.s.bind(this);
    var tabs = [['settings', s('tab_settings')], ['map', s('tab_category_map')], ['products', s('tab_products')], ['sync', s('tab_sync')], ['reconcile', s('tab_reconcile')], ['log', s('tab_log')]];
    this.root.appendChild(h('div', { 'class': 'reverb-alerts' }));
    var nav = h('ul', { 'class': 'nav nav-tabs' }, tabs.map(function (t, i) {
      return h('li', { 'class': i === 0 ? 'active' : null }, [h('a', { href: '#reverb-tab-' + t[0], 'data-tab': t[0], text: t[1],
        onclick: function (ev) { ev.preventDefault(); self.show(t[0]); } })]);
    }));
    var content = h('div', { 'class': 'tab-content' }, tabs.map(function (t, i) {
      return h('div', { 'class': 'tab-pane' + (i === 0 ? ' active' : ''), id: 'reverb-tab-' + t[0] });
    }));
    this.root.appendChild(h('div', { 'class': 'panel panel-default' }, [h('div', { 'class': 'panel-body' }, [nav, content])]));
    this.loaded = {};
    this.show('settings');
  };

  App.prototype.show = function (name) {
    var self = this;
    Array.prototype.forEach.call(this.root.querySelectorAll('.nav-tabs li'), function (li) {
      var on = li.firstChild.getAttribute('data-tab') === name;
      if (UI === 'bs5') {   /* Bootstrap 5: the link carries .active */
        li.className = 'nav-item';
        li.firstChild.className = 'nav-link' + (on ? ' active' : '');
      } else li.className = on ? 'active' : '';
    });
    Array.prototype.forEach.call(this.root.querySelectorAll('.tab-content > .tab-pane'), function (p) {
      p.className = 'tab-pane' + (p.id === 'reverb-tab-' + name ? ' active' : '');
    });
    var pane = this.root.querySelector('#reverb-tab-' + name);
    if (!this.loaded[name]) { this.loaded[name] = true; self['tab_' + name](pane); }
  };

  function formGroup(label, control, help) {
    return h('div', { 'class': 'form-group' }, [h('label', { 'class': 'col-sm-3 control-label', text: label }),
      h('div', { 'class': 'col-sm-9' }, [control, help ? h('p', { 'class': 'help-block', text: help }) : null])]);
  }

  function checkbox(name, checked, label) {
    return h('label', { 'class': 'checkbox-inline' }, [h('input', { type: 'checkbox', name: name, checked: checked ? 'checked' : null }), ' ' + label]);
  }

  App.prototype.tab_settings = function (pane) {
    var self = this, s = this.s.bind(this);
    Promise.all([this.guard(this.api('GET', 'settings')), this.api('GET', 'conditions').catch(function (e) { return { conditions: [], error: e }; })])
      .then(function (res) {
        var st = res[0].settings, cats = res[0].oc_categories, conds = res[1].conditions;
        var f = h('form', { 'class': 'form-horizontal', id: 'reverb-settings' });
        f.appendChild(formGroup(s('entry_status'), h('select', { name: 'status', 'class': 'form-control' },
          [h('option', { value: '1', selected: st.status ? 'selected' : null, text: s('text_enabled') }),
           h('option', { value: '0', selected: st.status ? null : 'selected', text: s('text_disabled') })])));
        var tokenInput = h('input', { type: 'password', name: 'token', 'class': 'form-control', autocomplete: 'off', placeholder: st.token_masked || '' });
        var testBtn = h('button', { type: 'button', 'class': 'btn btn-info', id: 'reverb-test', text: s('button_test'), onclick: function () {
          self.clearAlerts();
          if (!tokenInput.value && !st.token_masked) {   /* nothing to test with: nothing is sent */
            self.alert('warning', s('error_code_no_token'));
            tokenInput.focus();
            return;
          }
          testBtn.disabled = true;
          self.api('POST', 'test-connection', tokenInput.value ? { token: tokenInput.value } : {}).then(function (r) {
            self.alert('success', fmt(s('text_connected'), { s: r.shop_name }));
          }).catch(function (e) { self.alert('danger', e.message); }).then(function () { testBtn.disabled = false; });
        } });
        f.appendChild(formGroup(s('entry_token'), h('div', { 'class': 'input-group' }, [tokenInput, h('span', { 'class': 'input-group-btn' }, [testBtn])]), s('help_token')));
        f.appendChild(formGroup(s('entry_sync_mode'), h('select', { name: 'sync_mode', 'class': 'form-control' },
          [['one_way', s('text_one_way')], ['both_ways', s('text_both_ways')]].map(function (o) {
            return h('option', { value: o[0], selected: st.sync_mode === o[0] ? 'selected' : null, text: o[1] });
          }))));
        f.appendChild(formGroup(s('entry_categories'), h('div', { 'class': 'well well-sm reverb-scroll' }, cats.map(function (c) {
          return h('div', { 'class': 'checkbox' }, [h('label', {}, [h('input', { type: 'checkbox', name: 'categories', value: String(c.category_id),
            checked: st.categories.indexOf(c.category_id) >= 0 ? 'checked' : null }), ' ' + c.name])]);
        }))));
        f.appendChild(formGroup(s('entry_auto_publish'), checkbox('auto_publish', st.auto_publish, '')));
        f.appendChild(formGroup(s('entry_sync_fields'), h('div', {}, ['title', 'description', 'price', 'stock', 'images'].map(function (k) {
          return checkbox('field_' + k, st.sync_fields[k], s('text_field_' + k));
        }))));
        f.appendChild(formGroup(s('entry_default_condition'), h('select', { name: 'default_condition', 'class': 'form-control' },
          [h('option', { value: '', text: '--' })].concat(conds.map(function (c) {
            return h('option', { value: c.uuid, selected: st.default_condition === c.uuid ? 'selected' : null, text: c.display_name });
          }))), self.lookupHint(res[1].error)));
        self.listingSettings(f, st);      /* shipping, offers, stock buffer, order import */
        f.appendChild(formGroup(s('entry_store_url'), h('input', { name: 'store_url', 'class': 'form-control', value: st.store_url, placeholder: 'https://' })));
        f.appendChild(formGroup(s('entry_use_special'), checkbox('use_special', st.use_special, '')));
        f.appendChild(formGroup(s('entry_log_retention'), h('input', { type: 'number', name: 'log_retention_days', 'class': 'form-control',
          min: '0', max: '3650', step: '1', value: String(st.log_retention_days) }), s('help_log_retention')));
        f.appendChild(formGroup(s('entry_order_status_map'), h('div', {}, ['paid', 'shipped', 'received', 'cancelled', 'refunded'].map(function (rs) {
          return h('div', { 'class': 'reverb-status-row' }, [h('span', { 'class': 'reverb-status-name', 'data-status': rs, text: s('text_reverb_status_' + rs) }),
            h('select', { name: 'osm_' + rs, 'class': 'form-control input-sm' }, [h('option', { value: '0', text: '--' })].concat(
              res[0].oc_order_statuses.map(function (o) {
                return h('option', { value: String(o.order_status_id), selected: String(st.order_status_map[rs]) === String(o.order_status_id) ? 'selected' : null, text: o.name });
              })))]);
        }))));
        self.fieldMapSection(f, st.field_map || {}, res[0].oc_attributes || []);
        var hooks = h('div', { id: 'reverb-webhooks' });
        f.appendChild(formGroup(s('entry_webhooks'), hooks));
        var keys = h('div', { id: 'reverb-keys' });
        f.appendChild(formGroup(s('entry_cron_url'), keys));
        self.keys(keys, st);
        f.appendChild(h('div', { 'class': 'text-right' }, [h('button', { type: 'submit', 'class': 'btn btn-primary', id: 'reverb-save', text: s('button_save') })]));
        f.addEventListener('submit', function (ev) { ev.preventDefault(); self.saveSettings(f, tokenInput); });
        pane.appendChild(f);
        self.webhooks(hooks, 'GET');
      }).catch(function () { /* the alert is shown by guard() */ });
  };

  App.prototype.saveSettings = function (f, tokenInput) {
    var self = this, s = this.s.bind(this), body = {};
    body.status = Number(f.status.value);
    body.sync_mode = f.sync_mode.value;
    body.categories = Array.prototype.filter.call(f.querySelectorAll('input[name=categories]'), function (c) { return c.checked; })
      .map(function (c) { return Number(c.value); });
    body.auto_publish = f.auto_publish.checked ? 1 : 0;
    body.use_special = f.use_special.checked ? 1 : 0;
    body.sync_fields = {};
    ['title', 'description', 'price', 'stock', 'images'].forEach(function (k) { body.sync_fields[k] = f['field_' + k].checked; });
    body.default_condition = f.default_condition.value;
    self.listingSettingsBody(f, body);
    body.store_url = f.store_url.value;
    body.log_retention_days = f.log_retention_days.value;
    body.order_status_map = {};
    ['paid', 'shipped', 'received', 'cancelled', 'refunded'].forEach(function (rs) {
      var v = Number(f['osm_' + rs].value); if (v) body.order_status_map[rs] = v;
    });
    body.field_map = this.fieldMapValue(f);
    if (tokenInput.value) body.token = tokenInput.value;
    this.clearAlerts();
    this.clearFieldErrors(f);
    this.api('POST', 'settings', body).then(function (r) {
      tokenInput.value = ''; tokenInput.placeholder = r.settings.token_masked;
      self.alert('success', s('text_saved'));
      self.loaded.map = false;
      self.profilesPromise = null;      /* the shipping profiles of the (new) token's account */
      /* what depends on the saved token and address (conditions, webhooks,
       * cron URL) is fetched again, as a reload would */
      var pane = f.parentNode;
      if (pane) { pane.textContent = ''; self.tab_settings(pane); }
      if (self.prod) self.prodLookups();    /* the Products tab's condition and category lists */
    }).catch(function (e) { if (!self.fieldError(f, e)) self.alert('danger', e.message); });
  };

  /* Under a Reverb list (conditions, categories) that could not be loaded: why. */
  App.prototype.lookupHint = function (e) {
    if (!e || e.code === 'session_expired') return null;
    return e.code === 'no_token' ? this.s('text_lookup_no_token') : fmt(this.s('text_lookup_failed'), { s: e.message });
  };

  /* Settings keys whose input has another name. */
  var FIELD_INPUT = { categories: 'categories', sync_fields: 'field_title', order_status_map: 'osm_paid' };

  /* A refused setting (the engine's error.field): the message under the field,
   * named by its label, and the same at the top. false when no field is known. */
  App.prototype.fieldError = function (f, e) {
    if (!e.field) return false;
    var input = f.querySelector('[name="' + (FIELD_INPUT[e.field] || e.field).replace(/[^\w-]/g, '') + '"]');
    var group = input && input.closest(UI === 'bs5' ? '.row' : '.form-group');
    if (!group) return false;
    var label = group.querySelector('label'), name = label ? label.textContent.trim() : e.field;
    var msg = this.t['error_field_' + e.field] || e.message;
    var text = fmt(this.s('error_field'), { label: name, message: msg });
    group.classList.add(UI === 'bs5' ? 'reverb-has-error' : 'has-error');
    if (UI === 'bs5') input.classList.add('is-invalid');
    var where = group.querySelector('.col-sm-9') || group;
    where.appendChild(h('p', { 'class': (UI === 'bs5' ? 'invalid-feedback d-block' : 'help-block text-danger') + ' reverb-field-error', 'data-field': e.field, text: text }));
    this.alert('danger', text);
    input.focus();
    return true;
  };

  App.prototype.clearFieldErrors = function (f) {
    Array.prototype.forEach.call(f.querySelectorAll('.reverb-field-error'), function (el) { el.remove(); });
    Array.prototype.forEach.call(f.querySelectorAll('.has-error, .reverb-has-error'), function (el) { el.classList.remove('has-error', 'reverb-has-error'); });
    Array.prototype.forEach.call(f.querySelectorAll('.is-invalid'), function (el) { el.classList.remove('is-invalid'); });
  };

  /* ------------------------------------------------ field mapping (issue 11 item 2) */

  /* Reverb field -> the sources it may take (the first is the default), as
   * core/rv_fieldmap.c accepts them. */
  var FM_FIELDS = [
    ['make', ['manufacturer', 'attribute']],
    ['model', ['model', 'mpn', 'sku', 'attribute']],
    ['finish', ['none', 'attribute']],
    ['year', ['none', 'attribute']],
    ['handedness', ['none', 'attribute']],
    ['number_of_strings', ['none', 'attribute']]
  ];

  /* The "Field mapping" section of the settings form, and its preview box. */
  App.prototype.fieldMapSection = function (f, map, attrs) {
    var s = this.s.bind(this);
    var rows = FM_FIELDS.map(function (fd) {
      var key = fd[0], rule = map[key] || { source: fd[1][0] };
      var src = h('select', { name: 'fm_src_' + key, 'class': 'form-control input-sm', 'aria-label': s('fm_field_' + key) },
        fd[1].map(function (o) { return h('option', { value: o, selected: rule.source === o ? 'selected' : null, text: s('fm_src_' + o) }); }));
      var names = attrs.slice();
      if (rule.attribute && names.indexOf(rule.attribute) < 0) names.unshift(rule.attribute);   /* keep a saved name */
      var attr = h('select', { name: 'fm_attr_' + key, 'class': 'form-control input-sm', 'aria-label': s('fm_attribute') },
        [h('option', { value: '', text: names.length ? s('fm_choose_attribute') : s('fm_no_attributes') })].concat(names.map(function (n) {
          return h('option', { value: n, selected: rule.attribute === n ? 'selected' : null, text: n });
        })));
      var sync = function () { attr.style.display = src.value === 'attribute' ? '' : 'none'; };
      src.addEventListener('change', sync);
      sync();
      return h('tr', { 'data-field': key }, [h('th', { scope: 'row', text: s('fm_field_' + key) }), h('td', {}, [src]), h('td', {}, [attr])]);
    });
    var table = h('table', { 'class': 'table table-condensed reverb-fieldmap', id: 'reverb-fieldmap' }, [h('tbody', {}, rows)]);
    f.appendChild(h('fieldset', { id: 'reverb-fieldmap-section' }, [h('legend', { text: s('entry_field_map') }),
      formGroup(s('entry_field_sources'), table, s('help_field_map')),
      formGroup(s('entry_preview'), this.fieldMapPreview(), s('help_preview'))]));
  };

  /* The field_map setting as the form says. */
  App.prototype.fieldMapValue = function (f) {
    var out = {};
    FM_FIELDS.forEach(function (fd) {
      var src = f['fm_src_' + fd[0]].value;
      out[fd[0]] = src === 'attribute' ? { source: src, attribute: f['fm_attr_' + fd[0]].value } : { source: src };
    });
    return out;
  };

  /* Pick a product (search over name, SKU and model), see its listing as
   * mod_reverb would send it with the saved settings, or why it cannot be
   * listed. Asks nothing of Reverb. */
  App.prototype.fieldMapPreview = function () {
    var self = this, s = this.s.bind(this);
    var out = h('div', { id: 'reverb-preview-out', 'class': 'reverb-preview' });
    var q = h('input', { type: 'text', 'class': 'form-control input-sm', id: 'reverb-preview-q', placeholder: s('fm_preview_search'), 'aria-label': s('fm_preview_search') });
    var pick = h('select', { 'class': 'form-control input-sm', id: 'reverb-preview-pick', 'aria-label': s('fm_preview_pick') },
      [h('option', { value: '', text: s('fm_preview_pick') })]);
    var find = function () {
      out.textContent = '';
      return self.api('GET', 'products?per_page=20&q=' + encodeURIComponent(q.value)).then(function (r) {
        pick.textContent = '';
        var list = r.products || [];
        pick.appendChild(h('option', { value: '', text: list.length ? s('fm_preview_pick') : s('fm_preview_none') }));
        list.forEach(function (p) {
          pick.appendChild(h('option', { value: String(p.product_id), text: p.name + (p.sku ? ' (' + p.sku + ')' : '') }));
        });
        if (list.length === 1) { pick.value = String(list[0].product_id); self.fieldMapShow(out, pick.value); }
      }).catch(function (e) { out.appendChild(h('p', { 'class': 'text-danger', text: e.message })); });
    };
    var btn = h('button', { type: 'button', 'class': 'btn btn-default btn-sm', id: 'reverb-preview-find', text: s('button_find'), onclick: find });
    q.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); find(); } });
    pick.addEventListener('change', function () { if (pick.value) self.fieldMapShow(out, pick.value); else out.textContent = ''; });
    return h('div', {}, [h('div', { 'class': 'form-inline reverb-preview-bar' }, [q, ' ', btn, ' ', pick]), out]);
  };

  App.prototype.fieldMapShow = function (out, productId) {
    var self = this, s = this.s.bind(this);
    out.textContent = '';
    return this.api('GET', 'listing-preview?product_id=' + encodeURIComponent(productId)).then(function (r) {
      var l = r.listing, rows = [];
      out.textContent = '';
      if (l) out.appendChild(h('p', { 'class': 'reverb-preview-action', text: r.action === 'update'
        ? fmt(s('fm_preview_update'), { id: r.product.listing_id }) : s('fm_preview_create') }));
      if (r.error) out.appendChild(h('div', { 'class': 'alert alert-danger', id: 'reverb-preview-error', text: s('fm_preview_error') + ' ' + r.error }));
      (r.notes || []).forEach(function (n) {
        out.appendChild(h('p', { 'class': 'text-warning reverb-preview-note', 'data-note': n,
          text: fmt(s('fm_note_' + n), { v: n === 'year_left_out' ? r.fields.year : r.fields.number_of_strings }) }));
      });
      if (!l) return;
      var show = function (label, v) {
        var none = v === undefined || v === null || v === '';
        rows.push(h('tr', {}, [h('th', { scope: 'row', text: label }),
          h('td', { 'class': none ? 'text-muted' : null, text: none ? s('fm_preview_not_sent') : String(v) })]));
      };
      show(s('fm_preview_title'), l.title);
      FM_FIELDS.forEach(function (fd) { show(s('fm_field_' + fd[0]), l[fd[0]]); });
      show(s('fm_preview_sku'), l.sku);
      show(s('fm_preview_price'), l.price ? l.price.amount + ' ' + l.price.currency : null);
      out.appendChild(h('table', { 'class': 'table table-bordered table-condensed', id: 'reverb-preview-table' }, [h('tbody', {}, rows)]));
    }).catch(function (e) { out.appendChild(h('p', { 'class': 'text-danger', text: e.message })); });
  };

  /* The cron URL holds the cron key: shown only to users who may change
   * settings, with a way to make new keys. */
  App.prototype.keys = function (box, st) {
    var self = this, s = this.s.bind(this);
    box.textContent = '';
    if (!st.keys_visible) {
      box.appendChild(h('p', { 'class': 'form-control-static', text: s('text_keys_hidden') }));
      return;
    }
    box.appendChild(h('input', { 'class': 'form-control', readonly: 'readonly', name: 'cron_url', value: st.cron_url, onclick: function () { this.select(); } }));
    box.appendChild(h('p', { 'class': 'help-block', text: s('help_cron_header') }));
    box.appendChild(h('button', { type: 'button', 'class': 'btn btn-warning', id: 'reverb-regenerate', text: s('button_regenerate_keys'),
      onclick: function () {
        if (!window.confirm(s('text_regenerate_confirm'))) return;
        self.clearAlerts();
        self.api('POST', 'keys/regenerate', {}).then(function (r) {
          self.keys(box, r.settings);
          self.alert(r.webhooks.registered ? 'success' : 'warning', s('text_keys_regenerated') + ' ' + r.webhooks.message);
          var hooks = self.root.querySelector('#reverb-webhooks');
          if (hooks) self.webhooks(hooks, 'GET');
        }).catch(function (e) { self.alert('danger', e.message); });
      } }));
  };

  App.prototype.webhooks = function (box, method) {
    var self = this, s = this.s.bind(this);
    box.textContent = '';
    this.api(method, 'webhooks').then(function (r) {
      if (r.address_problem) box.appendChild(h('p', { 'class': 'text-warning', text: r.address_problem }));
      if (r.warning) box.appendChild(h('p', { 'class': 'text-warning', text: r.warning }));
      box.appendChild(h('p', { 'class': r.missing_topics.length ? 'text-warning' : 'text-success',
        text: r.missing_topics.length ? fmt(s('text_webhooks_missing'), { s: r.missing_topics.join(', ') }) : s('text_webhooks_ok') }));
      if (r.missing_topics.length) box.appendChild(h('button', { type: 'button', 'class': 'btn btn-default', id: 'reverb-register', text: s('button_register'),
        onclick: function () { self.webhooks(box, 'POST'); } }));
    }).catch(function (e) { box.appendChild(h('p', { 'class': 'text-danger', text: e.message })); });
  };

  /* What the category mapping needs first, in the tab itself: a saved token
   * (the Reverb categories come from Reverb), allowed categories. */
  App.prototype.mapFirst = function (pane, key) {
    var self = this;
    pane.appendChild(h('div', { 'class': 'alert alert-info reverb-map-first', id: 'reverb-map-first' }, [this.s(key), ' ',
      h('a', { href: '#reverb-tab-settings', 'class': 'alert-link', text: this.s('text_go_to_settings'),
        onclick: function (ev) { ev.preventDefault(); self.show('settings'); } })]));
  };

  App.prototype.tab_map = function (pane) {
    var self = this, s = this.s.bind(this);
    pane.textContent = '';
    Promise.all([this.guard(this.api('GET', 'category-map')), this.api('GET', 'categories').catch(function (e) {
      if (e.code === 'no_token') return { no_token: true };
      return self.guard(Promise.reject(e));
    })]).then(function (res) {
      self.loaded.map = false;        /* shown again the next time the tab is opened */
      if (res[1].no_token) return self.mapFirst(pane, 'text_map_no_token');
      if (!res[0].categories.length) return self.mapFirst(pane, 'text_map_no_categories');
      self.loaded.map = true;
      var rows = res[0].categories, groups = res[1].groups;
      var table = h('table', { 'class': 'table table-bordered', id: 'reverb-map' }, [h('tbody', {}, rows.map(function (c) {
        var sel = h('select', { 'class': 'form-control', 'data-category': String(c.category_id) }, [h('option', { value: '', text: s('text_choose') })].concat(
          groups.map(function (g) {
            return h('optgroup', { label: g.root }, g.categories.map(function (rc) {
              return h('option', { value: rc.uuid, selected: rc.uuid === c.reverb_uuid ? 'selected' : null, text: rc.full_name });
            }));
          })));
        return h('tr', {}, [h('td', { text: c.name }), h('td', {}, [sel])]);
      }))]);
      pane.appendChild(table);
      pane.appendChild(h('div', { 'class': 'text-right' }, [h('button', { type: 'button', 'class': 'btn btn-primary', id: 'reverb-map-save', text: s('button_save'),
        onclick: function () {
          var map = {};
          Array.prototype.forEach.call(table.querySelectorAll('select'), function (sl) { if (sl.value) map[sl.getAttribute('data-category')] = sl.value; });
          self.api('POST', 'category-map', { map: map }).then(function () { self.alert('success', s('text_saved')); })
            .catch(function (e) { self.alert('danger', e.message); });
        } })]));
    }).catch(function () { /* the alert is shown by guard() */ });
  };

  App.prototype.tab_sync = function (pane) {
    var self = this, s = this.s.bind(this);
    var bar = h('div', { 'class': 'progress-bar', role: 'progressbar', style: 'width: 0%', id: 'reverb-progress-bar' });
    var label = h('p', { id: 'reverb-progress-text' });
    var syncBtn = h('button', { type: 'button', 'class': 'btn btn-primary', id: 'reverb-sync-all', text: s('button_sync_all'), onclick: function () {
      syncBtn.disabled = true;
      self.api('POST', 'sync', {}).then(function () { self.pollSync(); }).catch(function (e) { self.alert('danger', e.message); syncBtn.disabled = false; });
    } });
    var importOut = h('p', { id: 'reverb-import-result' });
    var importBtn = h('button', { type: 'button', 'class': 'btn btn-default', id: 'reverb-import', text: s('button_import_orders'), onclick: function () {
      importBtn.disabled = true;
      self.api('POST', 'orders/import', {}).then(function (r) { importOut.textContent = fmt(s('text_import_result'), r); })
        .catch(function (e) { self.alert('danger', e.message); }).then(function () { importBtn.disabled = false; });
    } });
    var status = h('p', { id: 'reverb-queue', 'class': 'text-muted' });
    /* no bar before the first sync, nor while a run has nothing counted yet */
    var progress = h('div', { 'class': 'progress', id: 'reverb-progress', style: 'display:none' }, [bar]);
    pane.appendChild(h('div', {}, [h('p', {}, [syncBtn]), progress, label, h('hr'), h('p', {}, [importBtn]), importOut, h('hr'), status]));
    this.sync = { bar: bar, label: label, btn: syncBtn, status: status, progress: progress };
    this.pollSync();
  };

  App.prototype.pollSync = function () {
    var self = this, s = this.s.bind(this), ui = this.sync;
    clearTimeout(this.syncTimer);
    this.api('GET', 'status').then(function (st) {
      ui.status.textContent = fmt(s('text_queue'), { pending: st.queue.pending, running: st.queue.running, used: st.rate.used_last_minute, limit: st.rate.limit });
    }).catch(function () {});
    this.api('GET', 'sync').then(function (r) {
      var run = r.run;
      if (!run) { ui.btn.disabled = false; ui.progress.style.display = 'none'; ui.label.textContent = s('text_sync_never'); return; }
      var running = run.state === 'running';
      self.syncShow(run, running);
      ui.btn.disabled = running;
      if (running) self.syncTimer = setTimeout(function () { self.pollSync(); }, 1000);
    }).catch(function (e) { ui.btn.disabled = false; });
  };

  /* A run's bar and line; never "0 of 0": a run that has not counted its
   * products yet says it is starting, one that found none says so. */
  App.prototype.syncShow = function (run, running) {
    var s = this.s.bind(this), ui = this.sync;
    if (!(run.total > 0)) {
      ui.progress.style.display = 'none';
      ui.label.textContent = s(running ? 'text_sync_starting' : 'text_sync_nothing');
      return;
    }
    var pct = Math.round(100 * (run.done + run.failed) / run.total);
    ui.progress.style.display = '';
    ui.bar.style.width = pct + '%';
    ui.bar.textContent = pct + '%';
    ui.bar.className = cls('div', 'progress-bar' + (run.failed ? ' progress-bar-warning' : ' progress-bar-success'));
    ui.label.textContent = fmt(s(running ? (run.eta_seconds === null || run.eta_seconds === undefined ? 'text_sync_running_no_eta' : 'text_sync_running') : 'text_sync_finished'),
      { done: run.done, total: run.total, failed: run.failed, eta: run.eta_seconds });
  };

  /* OpenCart's date() format letters (its language file's datetime_format,
   * e.g. d/m/Y H:i:s) over a "YYYY-MM-DD HH:MM:SS" already in shop time. */
  function ocDate(local, format) {
    var m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(local || '');
    if (!m) return local || '';
    var H = Number(m[4]), v = { d: m[3], j: String(Number(m[3])), m: m[2], n: String(Number(m[2])), Y: m[1], y: m[1].slice(2),
      H: m[4], G: String(H), h: ('0' + (H % 12 || 12)).slice(-2), g: String(H % 12 || 12), i: m[5], s: m[6],
      A: H < 12 ? 'AM' : 'PM', a: H < 12 ? 'am' : 'pm' };
    var out = '', f = format || 'Y-m-d H:i:s';
    for (var k = 0; k < f.length; k++) {
      var c = f.charAt(k);
      if (c === '\\' && k + 1 < f.length) { out += f.charAt(++k); continue; }
      out += Object.prototype.hasOwnProperty.call(v, c) ? v[c] : c;
    }
    return out;
  }

  /* Links into the OpenCart admin, 3.0's routes or 4.0's. */
  App.prototype.ocLink = function (what, id) {
    var oc4 = UI === 'bs5', t = '&user_token=' + encodeURIComponent(this.token);
    if (what === 'order') return 'index.php?route=' + (oc4 ? 'sale/order.info' : 'sale/order/info') + '&order_id=' + id + t;
    return 'index.php?route=' + (oc4 ? 'catalog/product.form' : 'catalog/product/edit') + '&product_id=' + id + t;
  };

  function labelledFilter(label, el) {
    return h('div', { 'class': 'form-group reverb-filter' }, [h('label', { 'class': 'control-label', 'for': el.id, text: label }), ' ', el]);
  }

  App.prototype.tab_log = function (pane) {
    var self = this, s = this.s.bind(this);
    var status = h('select', { 'class': 'form-control input-sm', id: 'reverb-log-status' }, [['', s('text_all')], ['success', s('log_status_success')], ['error', s('log_status_error')]].map(function (o) { return h('option', { value: o[0], text: o[1] }); }));
    var direction = h('select', { 'class': 'form-control input-sm', id: 'reverb-log-direction' }, [['', s('text_all')], ['push', s('log_direction_push')], ['pull', s('log_direction_pull')]].map(function (o) { return h('option', { value: o[0], text: o[1] }); }));
    var product = h('input', { 'class': 'form-control input-sm', id: 'reverb-log-product', placeholder: s('log_product_id_placeholder'), size: 8, inputmode: 'numeric' });
    var body = h('tbody');
    var pager = h('div', { 'class': 'reverb-pager' });
    this.logState = { page: 1 };
    var reload = function () { self.logState.page = 1; self.loadLog(body, pager, status, direction, product); };
    [status, direction].forEach(function (el) { el.addEventListener('change', reload); });
    product.addEventListener('change', reload);
    pane.appendChild(h('div', { 'class': 'form-inline reverb-filters' }, [labelledFilter(s('log_filter_status'), status), ' ',
      labelledFilter(s('log_filter_direction'), direction), ' ', labelledFilter(s('log_filter_product'), product)]));
    pane.appendChild(h('table', { 'class': 'table table-striped table-condensed', id: 'reverb-log' }, [
      h('thead', {}, [h('tr', {}, ['column_time', 'column_product', 'column_sku', 'column_kind', 'column_status', 'column_message'].map(function (c) { return h('th', { text: s(c) }); }))]), body]));
    pane.appendChild(pager);
    this.loadLog(body, pager, status, direction, product);
  };

  /* One log row's cells: the time in the shop's zone and OpenCart's format,
   * the product or the OpenCart order, the kind and status in words, the
   * message with Reverb's errors as "field: message" lines. */
  App.prototype.logRow = function (e) {
    var self = this, s = this.s.bind(this);
    var msg = [h('span', { 'class': 'reverb-log-message', text: this.logMessage(e) })];
    if (e.error_lines && e.error_lines.length) {
      msg.push(errorList(e.error_lines));
    }
    var link = reverbLink(e.listing_url, e.reverb_listing_id);
    if (link) msg.push(' ', h('a', { href: link, target: '_blank', rel: 'noopener', text: s('text_view_on_reverb') }));
    var what = [];     /* the product, and the OpenCart order an order row is about */
    if (e.product_id) what.push(h('a', { href: this.ocLink('product', e.product_id), 'class': 'reverb-log-product', text: e.product_name || ('#' + e.product_id) }));
    if (e.order_id) what.push(h('a', { href: this.ocLink('order', e.order_id), 'class': 'reverb-log-order reverb-nowrap',
      text: fmt(s('log_order_link'), { order_id: e.order_id, number: e.reverb_order_number || '' }) }));
    else if (e.reverb_order_number) what.push(h('span', { 'class': 'reverb-nowrap', text: fmt(s('log_reverb_order'), { number: e.reverb_order_number }) }));
    if (what.length === 2) what.splice(1, 0, h('br'));
    var time = e.created_local ? ocDate(e.created_local, this.t.log_datetime_format) : (e.created_at || '');
    var kind = e.kind || (e.direction === 'pull' ? 'pull' : 'listing');
    return h('tr', { 'class': e.status === 'error' ? 'danger' : null, 'data-log-id': String(e.log_id), 'data-kind': kind }, [
      h('td', { 'class': 'reverb-nowrap reverb-log-time', title: e.created_at || null, text: time }),
      h('td', { 'class': 'reverb-log-what' }, what),
      h('td', { 'class': 'reverb-nowrap reverb-log-sku', text: e.sku || '' }),
      h('td', { 'class': 'reverb-nowrap reverb-log-kind', text: s('log_kind_' + kind) }),
      h('td', { 'class': 'reverb-nowrap reverb-log-status', 'data-status': e.status, text: s('log_status_' + e.status) }),
      h('td', {}, msg)]);
  };

  /* The engine writes an order's status change as Reverb's codes ("Reverb order
   * #9001: paid -> shipped"); the store owner reads the statuses as words, the
   * ones the order panel and the status mapping use. */
  App.prototype.logMessage = function (e) {
    var m = e.kind === 'order' && /^Reverb order #(\S+): ([a-z_?]+) -> ([a-z_]+)(?: \(its OpenCart order (\d+) was deleted\))?$/.exec(e.message || '');
    if (!m) return e.message || '';
    var self = this, word = function (code) {
      var k = 'text_order_status_' + code;
      return self.t[k] ? self.t[k] : code;
    };
    var text = fmt(this.s(m[2] === '?' ? 'log_order_now' : 'log_order_changed'), { number: m[1], from: word(m[2]), to: word(m[3]) });
    return m[4] ? text + ' ' + fmt(this.s('log_order_deleted'), { order_id: m[4] }) : text;
  };

  App.prototype.loadLog = function (body, pager, status, direction, product) {
    var self = this, s = this.s.bind(this), st = this.logState;
    var q = 'log?per_page=20&page=' + st.page + (status.value ? '&status=' + status.value : '') +
      (direction.value ? '&direction=' + direction.value : '') + (/^\d+$/.test(product.value) ? '&product_id=' + product.value : '');
    this.api('GET', q).then(function (r) {
      body.textContent = '';
      if (!r.entries.length) body.appendChild(h('tr', {}, [h('td', { colspan: 6, text: s('text_no_entries') })]));
      r.entries.forEach(function (e) { body.appendChild(self.logRow(e)); });
      pager.textContent = '';
      // past 10,000 entries the count stops (total_capped): "… / 500+", and Older stays on
      var pages = Math.max(1, Math.ceil(r.total / r.per_page)), more = !!r.total_capped;
      pager.appendChild(h('button', { type: 'button', 'class': 'btn btn-default btn-sm', id: 'reverb-log-prev', disabled: st.page <= 1 ? 'disabled' : null, text: s('button_prev'),
        onclick: function () { st.page--; self.loadLog(body, pager, status, direction, product); } }));
      pager.appendChild(h('span', { 'class': 'reverb-page', id: 'reverb-log-page', text: ' ' + st.page + ' / ' + pages + (more ? '+' : '') + ' ' }));
      pager.appendChild(h('button', { type: 'button', 'class': 'btn btn-default btn-sm', id: 'reverb-log-next', disabled: st.page >= pages && !(more && r.entries.length === r.per_page) ? 'disabled' : null, text: s('button_next'),
        onclick: function () { st.page++; self.loadLog(body, pager, status, direction, product); } }));
    }).catch(function (e) { self.alert('danger', e.message); });
  };

  /* ---------------------------------------------------------------- products tab
   * Every product in a paged grid with its Reverb state; filters; select rows,
   * the page or everything matching the filter; bulk changes through
   * products/bulk, then a progress bar while the queued pushes run. */

  var PROD_STATES = ['not_enabled', 'enabled', 'queued', 'draft', 'live', 'ended', 'sold', 'error'];
  var PROD_STATE_CLASS = { not_enabled: 'default', enabled: 'warning', queued: 'primary', draft: 'info',
    live: 'success', ended: 'default', sold: 'default', error: 'danger' };

  /* UTC ISO time in the shop's time zone (config_timezone), as OpenCart shows it. */
  function prodTime(iso, tz, locale) {
    if (!iso) return '';
    var d = new Date(iso), o = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' };
    if (isNaN(d.getTime())) return iso;
    try { return new Intl.DateTimeFormat(locale || undefined, tz ? Object.assign({ timeZone: tz }, o) : o).format(d); } catch (e) {
      return new Intl.DateTimeFormat(undefined, o).format(d);
    }
  }

  /* Reverb's errors of a log entry, a "field: message" line each. */
  function errorList(lines) {
    return h('ul', { 'class': 'reverb-errors list-unstyled' }, lines.map(function (l) { return h('li', { text: l }); }));
  }

  /* The grid's last-sync cell: the date above the time, so the column is a
   * date wide and the last error keeps room at 1366 px. */
  function prodTimeLines(text) {
    var i = text.lastIndexOf(', ');
    return i < 0 ? [text] : [text.slice(0, i), h('br'), text.slice(i + 2)];
  }

  function prodOptions(list, value, first) {
    return (first ? [h('option', { value: '', text: first })] : []).concat(list.map(function (o) {
      return h('option', { value: String(o[0]), text: o[1], selected: String(o[0]) === String(value) ? 'selected' : null });
    }));
  }

  App.prototype.tab_products = function (pane) {
    var self = this, s = this.s.bind(this);
    var st = this.prod = { page: 1, per_page: 25, filter: {}, selected: {}, all: false, total: 0, rows: [], conds: [], groups: [], tz: null };
    var f = {
      category_id: h('select', { 'class': 'form-control input-sm', id: 'reverb-prod-category', title: s('prod_filter_category') }),
      manufacturer_id: h('select', { 'class': 'form-control input-sm', id: 'reverb-prod-manufacturer', title: s('prod_filter_manufacturer') }),
      in_stock: h('select', { 'class': 'form-control input-sm', id: 'reverb-prod-stock', title: s('prod_filter_stock') },
        prodOptions([['1', s('prod_in_stock')], ['0', s('prod_out_of_stock')]], '', s('prod_any_stock'))),
      status: h('select', { 'class': 'form-control input-sm', id: 'reverb-prod-status', title: s('prod_filter_status') },
        prodOptions([['1', s('text_enabled')], ['0', s('text_disabled')]], '', s('prod_any_status'))),
      state: h('select', { 'class': 'form-control input-sm', id: 'reverb-prod-state', title: s('prod_filter_state') },
        prodOptions(PROD_STATES.map(function (k) { return [k, s('prod_state_' + k)]; }), '', s('prod_any_state'))),
      q: h('input', { type: 'search', 'class': 'form-control input-sm', id: 'reverb-prod-q', placeholder: s('prod_search'), size: 24 })
    };
    var apply = function () {
      st.filter = {};
      Object.keys(f).forEach(function (k) { if (f[k].value !== '') st.filter[k] = f[k].value; });
      st.page = 1; st.selected = {}; st.all = false;
      self.prodLoad();
    };
    ['category_id', 'manufacturer_id', 'in_stock', 'status', 'state'].forEach(function (k) { f[k].addEventListener('change', apply); });
    f.q.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); apply(); } });
    var filterBtn = h('button', { type: 'button', 'class': 'btn btn-default btn-sm', id: 'reverb-prod-filter', onclick: apply },
      [h('i', { 'class': 'fa fa-filter' }), ' ' + s('prod_button_filter')]);
    function labelled(key, el) {
      return h('div', { 'class': 'form-group' }, [h('label', { 'class': 'control-label', 'for': el.id, text: s(key) }), ' ', el]);
    }
    pane.appendChild(h('div', { 'class': 'well well-sm form-inline reverb-prod-filters' }, [
      labelled('prod_filter_category', f.category_id), ' ', labelled('prod_filter_manufacturer', f.manufacturer_id), ' ',
      labelled('prod_filter_stock', f.in_stock), ' ', labelled('prod_filter_status', f.status), ' ',
      labelled('prod_filter_state', f.state), ' ', labelled('prod_filter_q', f.q), ' ', filterBtn]));

    /* the bulk bar */
    var action = h('select', { 'class': 'form-control input-sm', id: 'reverb-prod-action' }, prodOptions([
      ['enable', s('prod_action_enable')], ['disable', s('prod_action_disable')], ['condition', s('prod_action_condition')],
      ['category', s('prod_action_category')], ['handmade_1', s('prod_action_handmade_on')], ['handmade_0', s('prod_action_handmade_off')],
      ['upc_1', s('prod_action_upc_on')], ['upc_0', s('prod_action_upc_off')], ['offers_1', s('prod_action_offers_on')],
      ['offers_0', s('prod_action_offers_off')], ['offers_null', s('prod_action_offers_default')],
      ['sync', s('prod_action_sync')], ['end', s('prod_action_end')]], '', s('prod_action_choose')));
    var value = h('select', { 'class': 'form-control input-sm', id: 'reverb-prod-value', style: 'display:none' });
    action.addEventListener('change', function () {
      value.textContent = '';
      if (action.value === 'condition') {
        prodOptions(st.conds.map(function (c) { return [c.uuid, c.display_name]; }), '', s('prod_default_condition')).forEach(function (o) { value.appendChild(o); });
      } else if (action.value === 'category') {
        value.appendChild(h('option', { value: '', text: s('prod_category_mapping') }));
        st.groups.forEach(function (g) {
          value.appendChild(h('optgroup', { label: g.root }, g.categories.map(function (c) { return h('option', { value: c.uuid, text: c.full_name }); })));
        });
      }
      value.style.display = action.value === 'condition' || action.value === 'category' ? '' : 'none';
    });
    var applyBtn = h('button', { type: 'button', 'class': 'btn btn-primary btn-sm', id: 'reverb-prod-apply', text: s('prod_button_apply'),
      onclick: function () { self.prodBulk(action.value, value.value); } });
    var selInfo = h('span', { 'class': 'reverb-prod-selinfo', id: 'reverb-prod-selinfo' });
    var selAll = h('a', { href: '#', id: 'reverb-prod-select-all', onclick: function (ev) {
      ev.preventDefault(); st.all = !st.all; st.selected = {}; self.prodRender(); } });
    pane.appendChild(h('div', { 'class': 'form-inline reverb-prod-bulk' }, [h('span', {}, [selInfo, ' ', selAll]), h('span', { 'class': 'reverb-prod-actions' },
      [h('label', { 'for': 'reverb-prod-action', 'class': 'control-label', text: s('prod_bulk_label') }), ' ', action, ' ', value, ' ', applyBtn])]));

    /* background progress of the queued pushes */
    var bar = h('div', { 'class': 'progress-bar progress-bar-striped active', role: 'progressbar', style: 'width: 0%', id: 'reverb-prod-progress-bar' });
    var progress = h('div', { id: 'reverb-prod-progress', style: 'display:none' }, [h('div', { 'class': 'progress' }, [bar]),
      h('p', { id: 'reverb-prod-progress-text', 'class': 'text-muted' })]);
    pane.appendChild(progress);

    var pageBox = h('input', { type: 'checkbox', id: 'reverb-prod-page-box', title: s('prod_select_page'), onchange: function () {
      st.all = false;
      st.rows.forEach(function (p) { if (pageBox.checked) st.selected[p.product_id] = true; else delete st.selected[p.product_id]; });
      self.prodRender();
    } });
    var cols = ['prod_col_name', 'prod_col_sku', 'prod_col_model', 'prod_col_quantity', 'prod_col_status', 'prod_col_sync',
      'prod_col_condition', 'prod_col_state', 'prod_col_listing', 'prod_col_error', 'prod_col_synced'];
    var body = h('tbody');
    pane.appendChild(h('div', { 'class': 'table-responsive' }, [h('table', { 'class': 'table table-bordered table-hover reverb-prod-table', id: 'reverb-products' }, [
      h('thead', {}, [h('tr', {}, [h('td', { 'class': 'text-center', style: 'width: 1px' }, [pageBox])].concat(cols.map(function (c) {
        return h('td', { 'class': /quantity|status|sync$/.test(c) ? 'text-center' : 'text-left', text: s(c) });
      })))]), body])]));
    var pager = h('div', { 'class': 'row reverb-prod-pager' });
    pane.appendChild(pager);
    st.ui = { f: f, body: body, pager: pager, pageBox: pageBox, selInfo: selInfo, selAll: selAll, action: action, value: value,
      applyBtn: applyBtn, progress: progress, bar: bar, progressText: progress.lastChild };

    this.prodLookups();
    this.prodLoad(true);
  };

  /* Reverb's conditions and categories for the bulk bar (again after a token is saved). */
  App.prototype.prodLookups = function () {
    var self = this, st = this.prod;
    this.api('GET', 'conditions').then(function (r) { st.conds = r.conditions || []; self.prodRender(); }).catch(function () {});
    this.api('GET', 'categories').then(function (r) { st.groups = r.groups || []; }).catch(function () {});
  };

  App.prototype.prodQuery = function (extra) {
    var st = this.prod, q = [];
    Object.keys(st.filter).forEach(function (k) { q.push(k + '=' + encodeURIComponent(st.filter[k])); });
    return 'products?' + q.concat(extra || []).join('&');
  };

  App.prototype.prodLoad = function (lookups) {
    var self = this, s = this.s.bind(this), st = this.prod, ui = st.ui;
    var seq = st.seq = (st.seq || 0) + 1;
    return this.api('GET', this.prodQuery(['page=' + st.page, 'per_page=' + st.per_page].concat(lookups ? ['lookups=1'] : []))).then(function (r) {
      if (seq !== st.seq) return;
      if (lookups) {
        prodOptions((r.categories || []).map(function (c) { return [c.category_id, c.name]; }), '', s('prod_any_category'))
          .forEach(function (o) { ui.f.category_id.appendChild(o); });
        prodOptions([['0', s('prod_no_manufacturer')]].concat((r.manufacturers || []).map(function (m) { return [m.manufacturer_id, m.name]; })), '',
          s('prod_any_manufacturer')).forEach(function (o) { ui.f.manufacturer_id.appendChild(o); });
      }
      st.rows = r.products; st.total = r.total; st.tz = r.timezone;
      self.prodRender();
    }).catch(function (e) { self.prodAlert('danger', e.message); });
  };

  /* One alert at a time: a tab's new answer replaces the last one, its own and
   * another tab's (a "Saved." of the Settings tab stood above the Products tab's
   * "Done: ..." on a real OpenCart 3 admin). The session alert stays one. */
  App.prototype.tabAlert = function (kind, text) {
    if (text !== this.s('text_session_expired')) this.clearAlerts();
    return this.alert(kind, text);
  };

  App.prototype.prodAlert = function (kind, text) {
    this.prod.alert = this.tabAlert(kind, text);
  };

  App.prototype.prodSelectedCount = function () {
    return this.prod.all ? this.prod.total : Object.keys(this.prod.selected).length;
  };

  App.prototype.prodRender = function () {
    var self = this, s = this.s.bind(this), st = this.prod, ui = st.ui;
    var condName = {};
    st.conds.forEach(function (c) { condName[c.uuid] = c.display_name; });
    ui.body.textContent = '';
    if (!st.rows.length) ui.body.appendChild(h('tr', {}, [h('td', { colspan: 12, 'class': 'text-center', text: s('prod_none') })]));
    st.rows.forEach(function (p) {
      var checked = st.all || !!st.selected[p.product_id];
      var box = h('input', { type: 'checkbox', name: 'selected[]', value: String(p.product_id), checked: checked ? 'checked' : null,
        disabled: st.all ? 'disabled' : null, onchange: function () {
          if (box.checked) st.selected[p.product_id] = true; else delete st.selected[p.product_id];
          self.prodRender();
        } });
      var link = p.listing_url && /^https:\/\/reverb\.com\//.test(p.listing_url)
        ? h('a', { href: p.listing_url, target: '_blank', rel: 'noopener noreferrer', text: s('text_view_on_reverb') }) : null;
      ui.body.appendChild(h('tr', { 'data-product-id': String(p.product_id), 'class': checked ? 'info' : null }, [
        h('td', { 'class': 'text-center' }, [box]),
        h('td', {}, [h('a', { href: 'index.php?route=catalog/product/edit&user_token=' + encodeURIComponent(self.token) + '&product_id=' + p.product_id,
          text: p.name || ('#' + p.product_id) })]),
        h('td', { 'class': 'reverb-nowrap', text: p.sku || '' }), h('td', { 'class': 'reverb-nowrap', text: p.model || '' }),
        h('td', { 'class': 'text-center' }, [h('span', { 'class': 'label label-' + (p.quantity > 0 ? 'success' : 'warning'), text: String(p.quantity) })]),
        h('td', { 'class': 'text-center', text: p.status ? s('text_enabled') : s('text_disabled') }),
        h('td', { 'class': 'text-center reverb-prod-sync', text: p.sync_enabled ? s('prod_on') : s('prod_off') }),
        p.condition_uuid ? h('td', { text: condName[p.condition_uuid] || p.condition_uuid })
          : h('td', { 'class': 'text-muted', title: s('prod_default_title'), text: s('prod_default_short') }),
        h('td', { 'class': 'reverb-prod-state' }, [h('span', { 'class': 'label label-' + (PROD_STATE_CLASS[p.listing_state] || 'default'),
          'data-state': p.listing_state, text: s('prod_state_' + p.listing_state) })]),
        h('td', {}, [link]),
        h('td', { 'class': 'text-danger reverb-prod-error', text: p.last_error || '' }),
        h('td', { 'class': 'reverb-nowrap reverb-prod-synced' }, prodTimeLines(prodTime(p.last_synced_at, st.tz, self.t.prod_date_locale)))]));
    });
    var onPage = st.rows.filter(function (p) { return st.all || st.selected[p.product_id]; }).length;
    ui.pageBox.checked = st.rows.length > 0 && onPage === st.rows.length;
    var n = this.prodSelectedCount();
    ui.selInfo.textContent = fmt(s('prod_selected'), { n: n });
    ui.selAll.textContent = st.all ? s('prod_clear_selection') : fmt(s('prod_select_all'), { total: st.total });
    ui.selAll.style.display = st.total > 0 ? '' : 'none';
    ui.applyBtn.disabled = n === 0;
    /* pager, as OpenCart's list pages: links on the left, "Showing x to y of z (n Pages)" on the right */
    var pages = Math.max(1, Math.ceil(st.total / st.per_page)), ul = h('ul', { 'class': 'pagination' });
    var go = function (pg) { return function (ev) { ev.preventDefault(); st.page = pg; self.prodLoad(); }; };
    if (st.page > 1) { ul.appendChild(h('li', {}, [h('a', { href: '#', text: '|<', onclick: go(1) })])); ul.appendChild(h('li', {}, [h('a', { href: '#', text: '<', id: 'reverb-prod-prev', onclick: go(st.page - 1) })])); }
    for (var i = Math.max(1, st.page - 4); i <= Math.min(pages, st.page + 4); i++) {
      ul.appendChild(h('li', { 'class': i === st.page ? 'active' : null }, [i === st.page ? h('span', { text: String(i) }) : h('a', { href: '#', text: String(i), onclick: go(i) })]));
    }
    if (st.page < pages) { ul.appendChild(h('li', {}, [h('a', { href: '#', text: '>', id: 'reverb-prod-next', onclick: go(st.page + 1) })])); ul.appendChild(h('li', {}, [h('a', { href: '#', text: '>|', onclick: go(pages) })])); }
    ui.pager.textContent = '';
    ui.pager.appendChild(h('div', { 'class': 'col-sm-6 text-left' }, [ul]));
    ui.pager.appendChild(h('div', { 'class': 'col-sm-6 text-right', id: 'reverb-prod-showing', text: fmt(s('prod_showing'), {
      from: st.total ? (st.page - 1) * st.per_page + 1 : 0, to: Math.min(st.total, st.page * st.per_page), total: st.total, pages: pages }) }));
  };

  App.prototype.prodBulk = function (what, value) {
    var self = this, s = this.s.bind(this), st = this.prod, body = {}, set = null;
    if (!what) { this.prodAlert('warning', s('prod_choose_action')); return; }
    if (what === 'enable' || what === 'disable') set = { sync_enabled: what === 'enable' ? 1 : 0 };
    else if (what === 'condition') set = { condition_uuid: value || null };
    else if (what === 'category') set = { reverb_category_uuid: value || null };
    else if (/^(handmade|upc|offers)_/.test(what)) {
      var kv = what.split('_'), key = { handmade: 'handmade', upc: 'upc_does_not_apply', offers: 'offers_enabled' }[kv[0]];
      set = {}; set[key] = kv[1] === 'null' ? null : Number(kv[1]);
    } else body.action = what;
    if (set) body.set = set;
    if (st.all) body.filter = st.filter;
    else body.product_ids = Object.keys(st.selected).map(Number);
    st.ui.applyBtn.disabled = true;
    this.api('POST', 'products/bulk', body).then(function (r) {
      self.prodAlert('success', fmt(s('prod_bulk_done'), r));
      st.selected = {}; st.all = false;
      if (r.queued > 0) self.prodProgress(r.queued);
      return self.prodLoad();
    }).catch(function (e) { self.prodAlert('danger', e.message); self.prodRender(); });
  };

  /* How many of the queued pushes are done: products still queued are counted
   * with the grid's own state filter. */
  App.prototype.prodProgress = function (queued) {
    var self = this, s = this.s.bind(this), ui = this.prod.ui;
    clearTimeout(this.prodTimer);
    ui.progress.style.display = '';
    var tick = function () {
      self.api('GET', 'products?state=queued&per_page=1').then(function (r) {
        var left = Math.min(queued, r.total), done = queued - left, pct = Math.round(100 * done / queued);
        ui.bar.style.width = pct + '%';
        ui.bar.textContent = pct + '%';
        ui.progressText.textContent = fmt(s(left ? 'prod_progress_running' : 'prod_progress_done'), { done: done, total: queued });
        if (left) { self.prodTimer = setTimeout(tick, 1000); return; }
        ui.bar.className = 'progress-bar progress-bar-success';
        self.prodLoad();
      }).catch(function (e) { ui.progressText.textContent = e.message; });
    };
    ui.bar.className = 'progress-bar progress-bar-striped active';
    tick();
  };

  /* ---------------------------------------------------------------- reconcile tab
   * Is everything in sync? One button starts a comparison (admin/reconcile),
   * a progress bar follows it, the report groups the differences by kind,
   * each with the shop's and Reverb's value, links and a Fix button
   * (admin/reconcile/fix); the row then says how the fix went. */

  var RC_KINDS = ['unsellable', 'state', 'price', 'stock', 'title', 'unlinked'];

  App.prototype.tab_reconcile = function (pane) {
    var self = this, s = this.s.bind(this);
    var st = this.rc = { kind: '', page: 1, per_page: 50, selected: {}, rows: [] };
    var startBtn = h('button', { type: 'button', 'class': 'btn btn-primary', id: 'reverb-rc-start', text: s('rc_button_start'), onclick: function () {
      startBtn.disabled = true;
      self.rcAlert(null);
      self.api('POST', 'reconcile', {}).then(function () { st.page = 1; st.selected = {}; self.rcPoll(); })
        .catch(function (e) { self.rcAlert('danger', e.message); startBtn.disabled = false; });
    } });
    var bar = h('div', { 'class': 'progress-bar progress-bar-striped active', role: 'progressbar', style: 'width: 0%', id: 'reverb-rc-progress-bar' });
    var progress = h('div', { 'class': 'progress', id: 'reverb-rc-progress', style: 'display:none' }, [bar]);
    var text = h('p', { id: 'reverb-rc-progress-text', 'class': 'text-muted' });
    var kinds = h('ul', { 'class': 'nav nav-pills reverb-rc-kinds', id: 'reverb-rc-kinds' });
    var pageBox = h('input', { type: 'checkbox', id: 'reverb-rc-page-box', title: s('rc_select_page'), onchange: function () {
      st.rows.forEach(function (f) { if (pageBox.checked && f.fix_state !== 'done' && f.fix_state !== 'queued') st.selected[f.finding_id] = true; else delete st.selected[f.finding_id]; });
      self.rcRender();
    } });
    var body = h('tbody');
    var fixSel = h('button', { type: 'button', 'class': 'btn btn-warning btn-sm', id: 'reverb-rc-fix-selected', text: s('rc_fix_selected'), onclick: function () {
      var ids = Object.keys(st.selected).map(Number);
      if (!ids.length) { self.rcAlert('warning', s('rc_choose_first')); return; }
      self.rcFix(ids);
    } });
    var pager = h('div', { 'class': 'row reverb-prod-pager', id: 'reverb-rc-pager' });
    var report = h('div', { id: 'reverb-rc-report', style: 'display:none' }, [kinds,
      h('div', { 'class': 'reverb-rc-actions' }, [fixSel]),
      h('div', { 'class': 'table-responsive' }, [h('table', { 'class': 'table table-bordered table-hover reverb-rc-table', id: 'reverb-rc-table' }, [
        h('thead', {}, [h('tr', {}, [h('td', { 'class': 'text-center', style: 'width: 1px' }, [pageBox])].concat(
          ['rc_col_kind', 'rc_col_product', 'rc_col_sku', 'rc_col_shop', 'rc_col_reverb', 'rc_col_listing', 'rc_col_fix'].map(function (c) {
            return h('td', { text: s(c) });
          })))]), body])]), pager]);
    pane.appendChild(h('div', { id: 'reverb-rc' }, [h('p', { 'class': 'help-block', text: s('rc_intro') }), h('p', {}, [startBtn]), progress, text, report]));
    st.ui = { start: startBtn, bar: bar, progress: progress, text: text, kinds: kinds, body: body, pager: pager, report: report, pageBox: pageBox, fixSel: fixSel };
    this.rcPoll();
  };

  /* one alert for the tab at a time */
  App.prototype.rcAlert = function (kind, text) {
    if (!kind) { if (this.rc.alert) this.rc.alert.remove(); this.rc.alert = null; return; }
    this.rc.alert = this.tabAlert(kind, text);
  };

  App.prototype.rcQuery = function () {
    var st = this.rc;
    return 'reconcile?page=' + st.page + '&per_page=' + st.per_page + (st.kind ? '&kind=' + st.kind : '');
  };

  /* progress while a run goes on, then the report; again while fixes wait */
  App.prototype.rcPoll = function () {
    var self = this, s = this.s.bind(this), st = this.rc, ui = st.ui;
    clearTimeout(this.rcTimer);
    return this.api('GET', this.rcQuery()).then(function (r) {
      var run = r.run;
      st.data = r;
      if (!run) { ui.progress.style.display = 'none'; ui.text.textContent = s('rc_none_yet'); ui.start.disabled = false; return; }
      var running = run.state === 'running', pct;
      if (running && run.phase === 'listings') pct = run.listings_total ? Math.min(90, Math.round(90 * run.listings_seen / run.listings_total)) : 5;
      else pct = running ? 95 : 100;
      ui.progress.style.display = '';
      ui.bar.style.width = pct + '%';
      ui.bar.textContent = pct + '%';
      ui.bar.className = cls('div', running ? 'progress-bar progress-bar-striped active'
        : 'progress-bar ' + (run.state === 'failed' ? 'progress-bar-warning' : 'progress-bar-success'));
      var when = prodTime(run.finished_at || run.started_at, r.timezone, self.t.prod_date_locale);
      var msg = running ? (run.phase === 'listings'
          ? fmt(s(run.listings_total !== null ? 'rc_reading' : 'rc_reading_unknown'), { seen: run.listings_seen, total: run.listings_total })
          : s('rc_comparing'))
        : run.state === 'failed' ? fmt(s('rc_failed'), { s: run.error || '' })
        : fmt(s(run.findings ? 'rc_finished' : 'rc_finished_none'), { products: run.products_checked, listings: run.listings_seen, time: when, n: run.findings });
      ui.text.textContent = msg + (run.started_by === 'cron' ? ' ' + s('rc_weekly') : '');
      ui.start.disabled = running;
      ui.report.style.display = running ? 'none' : '';
      if (!running) self.rcRender();
      var waiting = r.findings.some(function (f) { return f.fix_state === 'queued'; });
      if (st.waiting && st.waiting.length && !running) self.rcWaitDone(r.findings);
      if (running || waiting) self.rcTimer = setTimeout(function () { self.rcPoll(); }, 1000);
    }).catch(function (e) { self.rcAlert('danger', e.message); ui.start.disabled = false; });
  };

  /* The fixes the tab alert said it was waiting for: once none of them is
   * queued, the alert says how they ended (not "Waiting for Reverb" next to
   * rows that read "Fixed."). A fix not on the shown page is not waited for. */
  App.prototype.rcWaitDone = function (findings) {
    var s = this.s.bind(this), st = this.rc, byId = {};
    findings.forEach(function (f) { byId[f.finding_id] = f; });
    var mine = st.waiting.map(function (fid) { return byId[fid]; }).filter(function (f) { return f; });
    if (mine.some(function (f) { return f.fix_state === 'queued'; })) return;
    st.waiting = null;
    if (!mine.length) return;
    var failed = mine.filter(function (f) { return f.fix_state === 'failed'; });
    if (!failed.length) this.rcAlert('success', mine.length === 1 ? s('rc_outcome_done') : fmt(s('rc_outcome_done_n'), { n: mine.length }));
    else this.rcAlert('danger', fmt(s('rc_outcome_failed'), { n: failed.length, s: failed[0].fix_message || '' }));
  };

  function rcState(s, v) {
    return v ? (s('rc_state_' + v) !== 'rc_state_' + v ? s('rc_state_' + v) : v) : s('rc_state_unknown');
  }

  /* the two values of a finding, in words */
  App.prototype.rcValues = function (f) {
    var s = this.s.bind(this);
    switch (f.kind) {
      case 'state':
        return [rcState(s, f.shop_value), f.reason === 'missing' ? s('rc_value_not_found') : rcState(s, f.reverb_value)];
      case 'stock': return [f.shop_value, f.reverb_value === '' ? s('rc_value_none') : f.reverb_value];
      case 'unsellable':
        return [f.reason === 'out_of_stock' ? fmt(s('rc_value_stock'), { s: f.shop_value }) : s('rc_reason_' + f.reason), rcState(s, f.reverb_value)];
      case 'unlinked': return [fmt(s('rc_value_not_linked'), { s: f.sku || '' }), f.reverb_value || ''];
      default: return [f.shop_value || s('rc_value_none'), f.reverb_value || s('rc_value_none')];
    }
  };

  App.prototype.rcStatus = function (f) {
    var s = this.s.bind(this);
    if (f.fix_state === 'queued') return h('span', { 'class': 'text-muted reverb-rc-status', text: s('rc_fix_queued') });
    if (f.fix_state === 'done') return h('span', { 'class': 'text-success reverb-rc-status', text: s('rc_fix_done') });
    if (f.fix_state === 'failed') return h('span', { 'class': 'text-danger reverb-rc-status', text: fmt(s('rc_fix_failed'), { s: f.fix_message || '' }) });
    return null;
  };

  App.prototype.rcRender = function () {
    var self = this, s = this.s.bind(this), st = this.rc, ui = st.ui, r = st.data;
    if (!r) return;
    st.rows = r.findings;
    var all = RC_KINDS.reduce(function (n, k) { return n + (r.counts[k] || 0); }, 0);
    ui.kinds.textContent = '';
    [''].concat(RC_KINDS).forEach(function (k) {
      var n = k ? r.counts[k] || 0 : all;
      if (k && !n) return;
      var on = st.kind === k;
      ui.kinds.appendChild(h('li', { 'class': UI === 'bs5' ? 'nav-item' : (on ? 'active' : null) }, [h('a', { href: '#', 'data-kind': k,
        'class': UI === 'bs5' ? 'nav-link' + (on ? ' active' : '') : null,
        onclick: function (ev) { ev.preventDefault(); st.kind = k; st.page = 1; st.selected = {}; self.rcPoll(); } },
        [(k ? s('rc_kind_' + k) : s('rc_all')) + ' ', h('span', { 'class': UI === 'bs5' ? 'badge bg-secondary' : 'badge', text: String(n) })])]));
    });
    ui.body.textContent = '';
    if (!r.findings.length) ui.body.appendChild(h('tr', {}, [h('td', { colspan: 8, 'class': 'text-center', text: s('rc_no_findings') })]));
    r.findings.forEach(function (f) {
      var v = self.rcValues(f), fixed = f.fix_state === 'done' || f.fix_state === 'queued';
      var box = h('input', { type: 'checkbox', name: 'finding[]', value: String(f.finding_id), disabled: fixed ? 'disabled' : null,
        checked: st.selected[f.finding_id] ? 'checked' : null, onchange: function () {
          if (box.checked) st.selected[f.finding_id] = true; else delete st.selected[f.finding_id];
        } });
      var link = reverbLink(f.listing_url, f.listing_id);
      var btn = fixed ? null : h('button', { type: 'button', 'class': 'btn btn-default btn-sm reverb-rc-fix', 'data-finding': String(f.finding_id),
        text: s('rc_fix_' + f.fix), onclick: function () { self.rcFix([f.finding_id]); } });
      ui.body.appendChild(h('tr', { 'data-finding-id': String(f.finding_id), 'data-kind': f.kind }, [
        h('td', { 'class': 'text-center' }, [box]),
        h('td', {}, [h('strong', { text: s('rc_kind_' + f.kind) }), f.reason && f.kind !== 'unsellable' ? h('br') : null,
          f.reason && f.kind !== 'unsellable' ? h('small', { 'class': 'text-muted', text: s('rc_reason_' + f.reason) }) : null]),
        h('td', {}, [f.product_id ? h('a', { href: 'index.php?route=catalog/product/edit&user_token=' + encodeURIComponent(self.token) + '&product_id=' + f.product_id,
          text: f.product_name || ('#' + f.product_id) }) : '']),
        h('td', { 'class': 'reverb-nowrap', text: f.sku || '' }),
        h('td', { 'class': 'reverb-rc-shop', text: v[0] }),
        h('td', { 'class': 'reverb-rc-reverb', text: v[1] }),
        h('td', {}, [link ? h('a', { href: link, target: '_blank', rel: 'noopener noreferrer', text: s('text_view_on_reverb') }) : '']),
        h('td', {}, [btn, self.rcStatus(f)])]));
    });
    ui.pageBox.checked = false;
    var pages = Math.max(1, Math.ceil(r.total / st.per_page)), ul = h('ul', { 'class': 'pagination' });
    var go = function (pg) { return function (ev) { ev.preventDefault(); st.page = pg; self.rcPoll(); }; };
    for (var i = 1; i <= pages && pages > 1; i++) {
      ul.appendChild(h('li', { 'class': i === st.page ? 'active' : null }, [i === st.page ? h('span', { text: String(i) }) : h('a', { href: '#', text: String(i), onclick: go(i) })]));
    }
    ui.pager.textContent = '';
    ui.pager.appendChild(h('div', { 'class': 'col-sm-6 text-left' }, [ul]));
    ui.pager.appendChild(h('div', { 'class': 'col-sm-6 text-right', text: fmt(s('rc_showing'), {
      from: r.total ? (st.page - 1) * st.per_page + 1 : 0, to: Math.min(r.total, st.page * st.per_page), total: r.total }) }));
  };

  App.prototype.rcFix = function (ids) {
    var self = this, s = this.s.bind(this), st = this.rc;
    st.ui.fixSel.disabled = true;
    this.api('POST', 'reconcile/fix', { finding_ids: ids }).then(function (r) {
      /* one outcome in words when one difference was fixed, else the count */
      if (r.results.length === 1) {
        var o = r.results[0].outcome;
        self.rcAlert(o === 'link_conflict' ? 'warning' : 'success', s('rc_outcome_' + o));
      } else self.rcAlert('success', fmt(s('rc_fixes_sent'), r));
      /* a "Waiting for Reverb" alert is answered once those fixes are done */
      st.waiting = r.results.filter(function (x) { return /_queued$/.test(x.outcome); })
        .map(function (x) { return x.finding_id; });
      st.selected = {};
      return self.rcPoll();
    }).catch(function (e) { self.rcAlert('danger', e.message); })
      .then(function () { st.ui.fixSel.disabled = false; });
  };

  /* ---------------------------------------------------------------- product tab */

  App.prototype.product = function () {
    var self = this, s = this.s.bind(this), id = this.root.getAttribute('data-product-id');
    this.root.appendChild(h('div', { 'class': 'reverb-alerts' }));
    if (!id || id === '0') { this.root.appendChild(h('p', { 'class': 'text-muted', text: s('text_save_first') })); return; }
    Promise.all([this.guard(this.api('GET', 'product/' + id)), this.api('GET', 'conditions').catch(function () { return { conditions: [] }; }),
      this.api('GET', 'categories').catch(function () { return { groups: [] }; })]).then(function (res) {
      var p = res[0].product, tz = res[0].timezone, box = h('div', { 'class': 'form-horizontal', id: 'reverb-product' });
      var sync = h('input', { type: 'checkbox', name: 'sync_enabled', checked: p.sync_enabled ? 'checked' : null });
      var cond = h('select', { name: 'condition_uuid', 'class': 'form-control' }, [h('option', { value: '', text: '--' })].concat(res[1].conditions.map(function (c) {
        return h('option', { value: c.uuid, selected: c.uuid === p.condition_uuid ? 'selected' : null, text: c.display_name });
      })));
      var cat = h('select', { name: 'category_uuid', 'class': 'form-control' }, [h('option', { value: '', text: s('text_choose') })].concat(res[2].groups.map(function (g) {
        return h('optgroup', { label: g.root }, g.categories.map(function (c) { return h('option', { value: c.uuid, selected: c.uuid === p.category_uuid ? 'selected' : null, text: c.full_name }); }));
      })));
      var hand = h('input', { type: 'checkbox', name: 'handmade', checked: p.handmade ? 'checked' : null });
      var upc = h('input', { type: 'checkbox', name: 'upc_does_not_apply', checked: p.upc_does_not_apply ? 'checked' : null });
      box.appendChild(formGroup(s('entry_sync_enabled'), sync));
      box.appendChild(formGroup(s('entry_condition'), cond));
      box.appendChild(formGroup(s('entry_category'), cat));
      box.appendChild(formGroup(s('entry_handmade'), hand));
      box.appendChild(formGroup(s('entry_upc_exempt'), upc));
      var own = self.productListing(p);     /* shipping profile, local pickup, offers */
      own.nodes.forEach(function (n) { box.appendChild(n); });
      var listing = h('span', { id: 'reverb-listing' }), lastSync = h('span', { id: 'reverb-last-sync' }),
        lastError = h('span', { id: 'reverb-last-error', 'class': 'text-danger' });
      var showState = function (q) {
        var link = reverbLink(q.listing_url, q.listing_id);
        listing.textContent = '';
        var word = q.listing_state ? self.t['prod_state_' + (q.listing_state === 'sold_out' ? 'sold' : q.listing_state)] || q.listing_state : '';
        (q.listing_id ? [q.listing_id + (word ? ' (' + word + ') ' : ' '),
          link ? h('a', { href: link, target: '_blank', rel: 'noopener', text: s('text_view_on_reverb') }) : null] : ['-'])
          .forEach(function (c) { if (c) listing.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
        lastSync.textContent = q.last_synced_at ? prodTime(q.last_synced_at, tz, self.t.prod_date_locale) : '-';
        lastError.textContent = q.last_error || '';
      };
      showState(p);
      /* after "Sync now" the worker does the push: its log entry (newer than the
       * one before the press) is the outcome; the queued alert is replaced by it,
       * so the page says what happened: listed, a draft and why, or the refusal */
      var newestLog = function () {
        return self.api('GET', 'log?per_page=1&product_id=' + id).then(function (r) {
          return r.entries && r.entries.length ? r.entries[0] : null;
        }).catch(function () { return null; });
      };
      var outcome = function (e, q) {
        var word = q.listing_state ? self.t['prod_state_' + (q.listing_state === 'sold_out' ? 'sold' : q.listing_state)] || q.listing_state : '';
        var link = reverbLink(q.listing_url, q.listing_id), a;
        self.clearAlerts();
        if (e.status === 'error') {
          a = self.alert('danger', e.message || q.last_error || '');
          if (e.error_lines && e.error_lines.length)
            a.appendChild(errorList(e.error_lines));
          return;
        }
        if (q.listing_state === 'draft') a = self.alert('info', fmt(s('text_sync_draft'), { id: q.listing_id }));
        else if (q.listing_state === 'live') a = self.alert('success', fmt(s('text_sync_live'), { id: q.listing_id }));
        else a = self.alert('success', fmt(s('text_sync_done'), { id: q.listing_id || '-', state: word, s: e.message || '' }));
        if (link) a.appendChild(h('a', { href: link, target: '_blank', rel: 'noopener', 'class': 'alert-link', text: ' ' + s('text_view_on_reverb') }));
      };
      var watch = function (beforeLog, left) {
        if (left <= 0) { self.clearAlerts(); self.alert('warning', s('text_sync_slow')); return; }
        setTimeout(function () {
          newestLog().then(function (e) {
            if (!e || e.log_id === beforeLog) return watch(beforeLog, left - 1);
            return self.api('GET', 'product/' + id).then(function (r) { showState(r.product); outcome(e, r.product); });
          }).catch(function () { watch(beforeLog, left - 1); });
        }, 1000);
      };
      box.appendChild(formGroup(s('text_listing'), listing));
      box.appendChild(formGroup(s('text_last_sync'), lastSync));
      box.appendChild(formGroup(s('text_last_error'), lastError));
      var save = function () {
        return self.api('POST', 'product/' + id, { sync_enabled: sync.checked ? 1 : 0, condition_uuid: cond.value, category_uuid: cat.value,
          handmade: hand.checked ? 1 : 0, upc_does_not_apply: upc.checked ? 1 : 0, offers_enabled: own.values().offers_enabled,
          local_pickup: own.values().local_pickup, shipping_profile_id: own.values().shipping_profile_id });
      };
      box.appendChild(h('div', { 'class': 'text-right' }, [
        h('button', { type: 'button', 'class': 'btn btn-default', id: 'reverb-product-save', text: s('button_save'),
          onclick: function () { self.clearAlerts(); save().then(function () { self.alert('success', s('text_saved')); }).catch(function (e) { self.alert('danger', e.message); }); } }), ' ',
        h('button', { type: 'button', 'class': 'btn btn-primary', id: 'reverb-product-sync', text: s('button_sync_now'),
          onclick: function () {
            var beforeLog = null;
            self.clearAlerts();
            newestLog().then(function (e) { beforeLog = e ? e.log_id : null; return save(); })
              .then(function () { return self.api('POST', 'product/' + id + '/sync', {}); })
              .then(function () { /* an older package's language file lacks the new string */
                self.alert('success', self.t.text_sync_queued ? s('text_sync_queued') : s('text_saved')); watch(beforeLog, 30); })
              .catch(function (e) { self.alert('danger', e.message); }); } })]));
      self.root.appendChild(box);
    }).catch(function () { /* the alert is shown by guard() */ });
  };

  /* ------------------------------------------- shipping, offers, buffer, order import
   * (issue 11 items 3 and 4). The shipping profile picker is filled from the
   * seller's Reverb account (GET admin/shipping-profiles); an account with no
   * profile gets the per-region rates instead, in the shop's currency. */

  App.prototype.shippingProfiles = function () {
    if (!this.profilesPromise) this.profilesPromise = this.api('GET', 'shipping-profiles');
    return this.profilesPromise;
  };

  /* A <select> of the seller's profiles; `first` is the empty choice's label.
   * Until the list is there (or when it cannot be read) the stored id stays
   * a choice, so saving never loses it. */
  App.prototype.profileSelect = function (name, current, first, none, onList) {
    var self = this, s = this.s.bind(this);
    var sel = h('select', { name: name, id: 'reverb-' + name.replace(/_/g, '-'), 'class': 'form-control' },
      [h('option', { value: '', text: first })].concat(current ? [h('option', { value: current, selected: 'selected', text: current })] : []));
    var note = h('p', { 'class': 'help-block reverb-profile-note' });
    this.shippingProfiles().then(function (r) {
      sel.textContent = '';
      sel.appendChild(h('option', { value: '', text: first }));
      var known = false;
      r.profiles.forEach(function (pr) {
        if (pr.id === current) known = true;
        sel.appendChild(h('option', { value: pr.id, selected: pr.id === current ? 'selected' : null, text: pr.name }));
      });
      if (current && !known) sel.appendChild(h('option', { value: current, selected: 'selected', text: fmt(s('text_profile_gone'), { s: current }) }));
      if (!r.profiles.length) note.textContent = fmt(s(none), { s: r.currency });
      if (onList) onList(r);
    }).catch(function (e) {
      /* before a token there is nothing to read yet: say when the list comes, as
       * the condition picker does, not "could not be read: enter a token" in red */
      var noToken = e && e.code === 'no_token';
      note.className = cls('p', noToken ? 'help-block reverb-profile-note' : 'help-block text-danger reverb-profile-note');
      note.textContent = noToken ? s('text_lookup_no_token') : fmt(s('text_profiles_unavailable'), { s: e.message });
      if (onList) onList(null);
    });
    return { select: sel, note: note };
  };

  App.prototype.listingSettings = function (f, st) {
    var s = this.s.bind(this);
    var rates = h('div', { id: 'reverb-rates' });
    var au = h('input', { name: 'shipping_rate_au', 'class': 'form-control', inputmode: 'decimal', value: st.shipping_rate_au, placeholder: '0.00' });
    var xx = h('input', { name: 'shipping_rate_xx', 'class': 'form-control', inputmode: 'decimal', value: st.shipping_rate_xx, placeholder: '0.00' });
    var auLabel = h('label', { 'class': 'control-label', 'for': 'reverb-rate-au', text: s('entry_rate_au') });
    var xxLabel = h('label', { 'class': 'control-label', 'for': 'reverb-rate-xx', text: s('entry_rate_xx') });
    au.id = 'reverb-rate-au'; xx.id = 'reverb-rate-xx';
    rates.appendChild(h('div', { 'class': 'reverb-rate' }, [auLabel, au]));
    rates.appendChild(h('div', { 'class': 'reverb-rate' }, [xxLabel, xx]));
    rates.appendChild(h('p', { 'class': 'help-block', text: s('help_rates') }));
    var ratesGroup;
    var pick = this.profileSelect('shipping_profile_id', st.shipping_profile_id, s('text_no_profile'), 'text_no_profiles', function (r) {
      if (r && r.currency) {
        auLabel.textContent = fmt(s('text_rate_in'), { region: s('entry_rate_au'), currency: r.currency });
        xxLabel.textContent = fmt(s('text_rate_in'), { region: s('entry_rate_xx'), currency: r.currency });
      }
      sync();
    });
    /* the rates only count without a profile */
    var sync = function () { if (ratesGroup) ratesGroup.style.display = pick.select.value ? 'none' : ''; };
    pick.select.addEventListener('change', sync);
    f.appendChild(formGroup(s('entry_shipping_profile'), h('div', {}, [pick.select, pick.note]), s('help_shipping_profile')));
    ratesGroup = formGroup(s('entry_shipping_rates'), rates);
    ratesGroup.id = 'reverb-rates-group';
    f.appendChild(ratesGroup);
    sync();
    f.appendChild(formGroup(s('entry_local_pickup'), checkbox('local_pickup', st.local_pickup, ''), s('help_local_pickup')));
    f.appendChild(formGroup(s('entry_offers'), checkbox('offers_enabled', st.offers_enabled, ''), s('help_offers')));
    f.appendChild(formGroup(s('entry_stock_buffer'), h('input', { type: 'number', name: 'stock_buffer', id: 'reverb-stock-buffer', 'class': 'form-control',
      min: '0', max: '100000', step: '1', value: String(st.stock_buffer) }), s('help_stock_buffer')));
    f.appendChild(formGroup(s('entry_order_import'), checkbox('order_import', st.order_import, ''), s('help_order_import')));
  };

  App.prototype.listingSettingsBody = function (f, body) {
    body.shipping_profile_id = f.shipping_profile_id.value;
    body.shipping_rate_au = f.shipping_rate_au.value.trim();
    body.shipping_rate_xx = f.shipping_rate_xx.value.trim();
    body.local_pickup = f.local_pickup.checked ? 1 : 0;
    body.offers_enabled = f.offers_enabled.checked ? 1 : 0;
    body.stock_buffer = f.stock_buffer.value.trim();
    body.order_import = f.order_import.checked ? 1 : 0;
  };

  /* The product tab: its own profile, local pickup and offers, or the shop's. */
  App.prototype.productListing = function (p) {
    var s = this.s.bind(this);
    var tri = function (name, v) {
      return h('select', { name: name, id: 'reverb-' + name.replace(/_/g, '-'), 'class': 'form-control' },
        [['', s('text_follow_shop')], ['1', s('text_yes')], ['0', s('text_no')]].map(function (o) {
          return h('option', { value: o[0], selected: String(v === null || v === undefined ? '' : v) === o[0] ? 'selected' : null, text: o[1] });
        }));
    };
    var pick = this.profileSelect('shipping_profile_id', p.shipping_profile_id || '', s('text_follow_shop'), 'text_no_profiles_product');
    var local = tri('local_pickup', p.local_pickup), offers = tri('offers_enabled', p.offers_enabled);
    var opt = function (v) { return v === '' ? null : Number(v); };
    return {
      nodes: [formGroup(s('entry_shipping_profile'), h('div', {}, [pick.select, pick.note])),
              formGroup(s('entry_local_pickup'), local, s('help_local_pickup')),
              formGroup(s('entry_offers'), offers)],
      values: function () {
        return { shipping_profile_id: pick.select.value || null, local_pickup: opt(local.value), offers_enabled: opt(offers.value) };
      }
    };
  };

  /* ---------------------------------------------------------------- order panel */

  App.prototype.order = function () {
    var self = this, id = this.root.getAttribute('data-order-id');
    this.api('GET', 'orders/' + id).then(function (r) {
      if (!r.reverb) return;
      /* the carriers: Reverb's list, cached by mod_reverb (Australia Post first for an AU shop) */
      return self.api('GET', 'shipping-providers').catch(function () { return { providers: [], source: 'builtin' }; })
        .then(function (c) { self.carriers = c; self.orderRender(r.reverb); });
    }).catch(function () {});
  };

  /* A Reverb status as words from the language file (the slug when there are none). */
  App.prototype.orderStatus = function (st) {
    return this.t['text_order_status_' + st] || st || '-';
  };

  /* one alert for the panel at a time: a new one replaces the last */
  App.prototype.orderAlert = function (kind, text) {
    var box = this.root.querySelector('#reverb-order .reverb-alerts');
    if (this.orderAlertEl) this.orderAlertEl.remove();
    this.orderAlertEl = this.alert(kind, text, null, box);
  };

  /* The panel from GET orders/# (or the ship answer, which carries the status
   * Reverb has after the tracking): order numbers and statuses, the tracking
   * sent, and the form; once Reverb shows the order shipped the form is hidden
   * behind a "send again" link. */
  App.prototype.orderRender = function (info) {
    var self = this, s = this.s.bind(this), id = this.root.getAttribute('data-order-id');
    var carriers = (this.carriers && this.carriers.providers) || [];
    var panel = h('div', { 'class': 'panel panel-default', id: 'reverb-order' });
    panel.appendChild(h('div', { 'class': 'panel-heading' }, [h('h3', { 'class': 'panel-title', text: s('text_reverb_order') })]));
    var body = h('div', { 'class': 'panel-body' }, [h('div', { 'class': 'reverb-alerts' })]);
    (info.orders || []).forEach(function (o) {
      var link = reverbLink(o.link, null);
      body.appendChild(h('p', { 'class': 'reverb-order-line', 'data-status': o.status || '' }, [
        fmt(s('text_order_line'), { number: o.order_number, status: self.orderStatus(o.status) }) + ' ',
        link ? h('a', { href: link, target: '_blank', rel: 'noopener', text: s('text_view_on_reverb') }) : null]));
    });
    body.appendChild(h('p', { id: 'reverb-shipped', text: info.shipped
      ? fmt(s('text_shipped'), { s: info.shipped.provider + ' ' + info.shipped.tracking_number }) : '' }));
    var shown = info.shipped && info.shipped.provider;
    var provider = h('select', { 'class': 'form-control', name: 'provider', 'aria-label': s('entry_provider'), title: s('entry_provider') },
      carriers.map(function (c) { return h('option', { value: c, text: c, selected: c === shown ? 'selected' : null }); }));
    var tracking = h('input', { 'class': 'form-control', name: 'tracking_number', placeholder: s('entry_tracking'),
      'aria-label': s('entry_tracking') });
    var send = h('button', { type: 'button', 'class': 'btn btn-primary', id: 'reverb-ship', text: s('button_ship') });
    var form = h('div', { 'class': 'form-inline', id: 'reverb-ship-form' }, [provider, ' ', tracking, ' ', send]);
    if (info.shipped_on_reverb) {
      form.style.display = 'none';
      body.appendChild(h('p', { id: 'reverb-shipped-note' }, [s('text_order_shipped') + ' ',
        h('a', { href: '#', id: 'reverb-send-again', text: s('button_send_again'), onclick: function (ev) {
          ev.preventDefault(); form.style.display = ''; ev.target.style.display = 'none'; tracking.focus(); } })]));
    }
    body.appendChild(form);
    if (this.carriers && this.carriers.source === 'builtin')
      body.appendChild(h('p', { 'class': 'help-block', id: 'reverb-carriers-note', text: s('text_carriers_builtin') }));
    send.addEventListener('click', function () {
      if (!tracking.value.trim()) { self.orderAlert('warning', s('error_tracking_empty')); tracking.focus(); return; }
      send.disabled = true;
      self.api('POST', 'orders/' + id + '/ship', { provider: provider.value, tracking_number: tracking.value.trim() }).then(function (r) {
        if (r.reverb) self.orderRender(r.reverb);
        self.orderAlert('success', r.status_refreshed && r.reverb
          ? fmt(s('text_tracking_sent'), { status: self.orderStatus(r.reverb.status) }) : s('text_tracking_sent_unrefreshed'));
      }).catch(function (e) { self.orderAlert('danger', e.message); send.disabled = false; });
    });
    panel.appendChild(body);
    var old = this.root.querySelector('#reverb-order');
    if (old) old.parentNode.replaceChild(panel, old); else this.root.appendChild(panel);
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('.reverb-admin'), function (root) {
      if (root.getAttribute('data-started')) return;
      root.setAttribute('data-started', '1');
      var app = new App(root), view = root.getAttribute('data-view') || 'module';
      if (typeof app[view] === 'function') app[view]();
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
  window.ReverbAdmin = { start: start };
})();
