<?php
/**
 * Reverb module for OpenCart 3: a thin shim. All sync logic runs in the
 * Apache module mod_reverb; this controller renders the pages, registers
 * events on install, and tells mod_reverb when a product is saved.
 */
class ControllerExtensionModuleReverb extends Controller {
	const BASE = '/reverb';
	const VERSION = '0.1.0';

	public function index() {
		$this->load->language('extension/module/reverb');
		$this->document->setTitle($this->language->get('heading_title'));

		$data = $this->common($this->language->get('heading_title'));
		$data['breadcrumbs'] = array(
			array('text' => $this->language->get('text_home'),
			      'href' => $this->url->link('common/dashboard', 'user_token=' . $this->session->data['user_token'], true)),
			array('text' => $this->language->get('text_extension'),
			      'href' => $this->url->link('marketplace/extension', 'user_token=' . $this->session->data['user_token'] . '&type=module', true)),
			array('text' => $this->language->get('heading_title'),
			      'href' => $this->url->link('extension/module/reverb', 'user_token=' . $this->session->data['user_token'], true)),
		);
		$data['cancel'] = $this->url->link('marketplace/extension', 'user_token=' . $this->session->data['user_token'] . '&type=module', true);
		$data['header'] = $this->load->controller('common/header');
		$data['column_left'] = $this->load->controller('common/column_left');
		$data['footer'] = $this->load->controller('common/footer');

		$this->response->setOutput($this->load->view('extension/module/reverb', $data));
	}

	/* The module's strings, in a Language of their own (OpenCart's keyed load).
	 * The view events below run inside other pages: merging these strings into
	 * the shared Language there replaced the host page's own heading_title,
	 * entry_category, text_success... (the product form's title became
	 * "Reverb" and its Links tab's "Categories" label changed). */
	private function strings() {
		$this->load->language('extension/module/reverb', 'reverb');
		return $this->language->get('reverb');
	}

	/* What every Reverb view needs: where mod_reverb lives, the token, the strings. */
	private function common($title) {
		$strings = array();
		foreach ($this->strings()->all() as $key => $value) {
			if (is_string($value)) {
				$strings[$key] = $value;
			}
		}
		// the sync log shows times as OpenCart shows its own (its language's datetime_format)
		$format = $this->language->get('datetime_format');
		if (is_string($format) && $format !== '' && $format !== 'datetime_format') {
			$strings['log_datetime_format'] = $format;
		}
		$base = $this->config->get('module_reverb_base') ? $this->config->get('module_reverb_base') : self::BASE;
		return array(
			'heading_title' => $title,
			'reverb_base'   => $base,
			'user_token'    => $this->session->data['user_token'],
			'login_url'     => $this->url->link('common/login', '', true),
			'strings_json'  => htmlspecialchars(json_encode($strings), ENT_QUOTES, 'UTF-8'),
			'asset_js'      => $base . '/admin/assets/reverb-admin.js?v=' . self::VERSION,
			'asset_css'     => $base . '/admin/assets/reverb-admin.css?v=' . self::VERSION,
		);
	}

	public function install() {
		$this->load->model('setting/setting');
		/* editSetting() first deletes every module_reverb_* row, so keep what is
		 * there (mod_reverb makes its webhook and cron keys when it starts, which
		 * is often before this install) and only fill in what is missing. The keys
		 * are made here as well: mod_reverb does not make them again until Apache
		 * restarts, and after an uninstall (which deletes them) the cron and
		 * webhook URLs ended in "key=" and "Register webhooks" sent that to Reverb. */
		$settings = $this->model_setting_setting->getSetting('module_reverb');
		$defaults = array(
			'module_reverb_status'       => 0,
			'module_reverb_sync_mode'    => 'one_way',
			'module_reverb_auto_publish' => 0,
			// Photos are sent as absolute URLs under this address; without it
			// listings went out with no photos. The owner can change it.
			'module_reverb_store_url'    => defined('HTTPS_CATALOG') && HTTPS_CATALOG ? HTTPS_CATALOG : HTTP_CATALOG,
			'module_reverb_webhook_key'  => bin2hex(random_bytes(16)),
			'module_reverb_cron_key'     => bin2hex(random_bytes(16)),
		);
		foreach ($defaults as $key => $value) {
			if (!isset($settings[$key]) || $settings[$key] === '') {
				$settings[$key] = $value;
			}
		}
		$this->model_setting_setting->editSetting('module_reverb', $settings);
		$this->load->model('setting/event');
		$this->model_setting_event->addEvent('reverb_product_add', 'admin/model/catalog/product/addProduct/after', 'extension/module/reverb/eventProduct');
		$this->model_setting_event->addEvent('reverb_product_edit', 'admin/model/catalog/product/editProduct/after', 'extension/module/reverb/eventProduct');
		$this->model_setting_event->addEvent('reverb_product_delete', 'admin/model/catalog/product/deleteProduct/after', 'extension/module/reverb/eventProduct');
		$this->model_setting_event->addEvent('reverb_product_form', 'admin/view/catalog/product_form/before', 'extension/module/reverb/eventProductForm');
		$this->model_setting_event->addEvent('reverb_order_info', 'admin/view/sale/order_info/before', 'extension/module/reverb/eventOrderInfo');
		// A sale on the storefront (or an admin order, which OpenCart 3 records
		// through the catalog API) reaches Reverb in seconds, not at the next cron.
		$this->model_setting_event->addEvent('reverb_order_history', 'catalog/model/checkout/order/addOrderHistory/after', 'extension/module/reverb/eventOrderHistory');
	}

	public function uninstall() {
		$this->load->model('setting/event');
		foreach (array('reverb_product_add', 'reverb_product_edit', 'reverb_product_delete', 'reverb_product_form', 'reverb_order_info', 'reverb_order_history') as $code) {
			$this->model_setting_event->deleteEventByCode($code);
		}
	}

	/* admin/model/catalog/product/{add,edit,delete}Product/after: ask mod_reverb to
	 * queue the product now. Failures are ignored: mod_reverb's cron finds the
	 * change by content anyway. */
	public function eventProduct(&$route, &$args, &$output = null) {
		$product_id = 0;
		if (strpos($route, 'addProduct') !== false) {
			$product_id = (int)$output;
		} elseif (isset($args[0])) {
			$product_id = (int)$args[0];
		}
		if (!$product_id || !isset($this->session->data['user_token']) || !function_exists('curl_init')) {
			return;
		}
		$base = defined('HTTPS_CATALOG') && HTTPS_CATALOG ? HTTPS_CATALOG : HTTP_CATALOG;
		$parts = parse_url($base);
		$url = $parts['scheme'] . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '')
		     . self::BASE . '/admin/product/' . $product_id . '/sync';
		$ch = curl_init($url);
		curl_setopt_array($ch, array(
			CURLOPT_POST           => true,
			CURLOPT_POSTFIELDS     => '{}',
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_TIMEOUT        => 3,
			CURLOPT_HTTPHEADER     => array('Content-Type: application/json',
			                                'X-OC-User-Token: ' . $this->session->data['user_token']),
			CURLOPT_COOKIE         => 'OCSESSID=' . $this->session->getId(),
		));
		curl_exec($ch);
		curl_close($ch);
	}

	/* admin/view/catalog/product_form/before: the Reverb tab's content. */
	public function eventProductForm(&$route, &$data) {
		$title = $this->strings()->get('heading_title');
		$view = $this->common($title);
		$view['product_id'] = isset($this->request->get['product_id']) ? (int)$this->request->get['product_id'] : 0;
		$data['reverb_tab_title'] = $title;
		$data['reverb_tab'] = $this->load->view('extension/module/reverb_product', $view);
	}

	/* admin/view/sale/order_info/before: the Reverb panel of an order. */
	public function eventOrderInfo(&$route, &$data) {
		$view = $this->common($this->strings()->get('heading_title'));
		$view['order_id'] = isset($this->request->get['order_id']) ? (int)$this->request->get['order_id'] : 0;
		$data['reverb_order_panel'] = $this->load->view('extension/module/reverb_order', $view);
	}
}
