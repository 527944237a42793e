<?php
/**
 * Reverb module for OpenCart 4.0.2.x: a thin shim. All sync logic runs in the
 * Apache module mod_reverb; this controller renders the pages, registers the
 * events on install, and tells mod_reverb when a product is saved.
 *
 * The package must be installed as reverb.ocmod.zip: OpenCart names the
 * extension folder after the zip, and this class's namespace after the folder.
 */
namespace Opencart\Admin\Controller\Extension\Reverb\Module;

class Reverb extends \Opencart\System\Engine\Controller {
	const FOLDER = 'reverb';
	const ROUTE = 'extension/reverb/module/reverb';
	const VERSION = '0.1.0';
	const EVENTS = [
		'reverb_product_add'    => ['admin/model/catalog/product/addProduct/after', 'eventProduct'],
		'reverb_product_edit'   => ['admin/model/catalog/product/editProduct/after', 'eventProduct'],
		'reverb_product_delete' => ['admin/model/catalog/product/deleteProduct/after', 'eventProduct'],
		'reverb_product_form'   => ['admin/view/catalog/product_form/before', 'eventProductForm'],
		'reverb_order_info'     => ['admin/view/sale/order_info/before', 'eventOrderInfo'],
		// a sale (storefront checkout, or an admin order, which 4.0 records through
		// the catalog API) reaches Reverb in seconds: catalog/controller/module/reverb.php
		'reverb_order_history'  => ['catalog/model/checkout/order/addHistory/after', 'eventOrderHistory'],
	];

	public function index(): void {
		$strings = $this->strings();
		$this->document->setTitle($strings['heading_title']);
		$token = $this->session->data['user_token'];

		$data = $this->common($strings['heading_title']);
		$data['breadcrumbs'] = [
			['text' => $this->language->get('text_home'),
			 'href' => $this->url->link('common/dashboard', 'user_token=' . $token)],
			['text' => $strings['text_extension'],
			 'href' => $this->url->link('marketplace/extension', 'user_token=' . $token . '&type=module')],
			['text' => $strings['heading_title'],
			 'href' => $this->url->link(self::ROUTE, 'user_token=' . $token)],
		];
		$data['back'] = $this->url->link('marketplace/extension', 'user_token=' . $token . '&type=module');
		$data['header'] = $this->load->controller('common/header');
		$data['column_left'] = $this->load->controller('common/column_left');
		$data['footer'] = $this->load->controller('common/footer');

		$this->response->setOutput($this->load->view(self::ROUTE, $data));
	}

	/* The module's strings. 4.0's second argument is a key prefix: the keys
	 * join the shared Language as reverb_<key>, so a host page (the product
	 * form, the order page) keeps its own heading_title and labels. */
	private function strings(): array {
		$this->load->language(self::ROUTE, 'reverb');
		$out = [];
		foreach ($this->language->all('reverb') as $key => $value) {
			if (is_string($value)) {
				$out[$key] = $value;
			}
		}
		return $out;
	}

	/* Where mod_reverb answers for the admin: below the admin folder (the
	 * session cookie's path is /admin/), e.g. /admin/reverb. */
	private function base(): string {
		if ($this->config->get('module_reverb_base')) {
			return (string)$this->config->get('module_reverb_base');
		}
		$path = (string)parse_url(HTTP_SERVER, PHP_URL_PATH);
		return rtrim($path === '' ? '/admin/' : $path, '/') . '/reverb';
	}

	/* What every Reverb view needs: where mod_reverb lives, the token, the strings. */
	private function common(string $title): array {
		$base = $this->base();
		$strings = $this->strings();
		// the sync log shows times as OpenCart shows its own (its language's datetime_format)
		$format = $this->language->get('datetime_format');
		if (is_string($format) && $format !== '' && $format !== 'datetime_format') {
			$strings['log_datetime_format'] = $format;
		}
		return [
			'heading_title' => $title,
			'reverb_base'   => $base,
			'user_token'    => $this->session->data['user_token'],
			'login_url'     => $this->url->link('common/login'),
			'strings_json'  => htmlspecialchars(json_encode($strings), ENT_QUOTES, 'UTF-8'),
			'asset_js'      => $base . '/admin/assets/reverb-admin.js?v=' . self::VERSION,
			'asset_css'     => $base . '/admin/assets/reverb-admin.css?v=' . self::VERSION,
		];
	}

	public function install(): void {
		$this->load->model('setting/setting');
		/* editSetting() deletes every module_reverb_* row first: keep what is
		 * there (mod_reverb may have made its keys already), fill what is missing. */
		$settings = $this->model_setting_setting->getSetting('module_reverb');
		$defaults = [
			'module_reverb_status'       => 0,
			'module_reverb_sync_mode'    => 'one_way',
			'module_reverb_auto_publish' => 0,
			'module_reverb_store_url'    => HTTP_CATALOG,
			'module_reverb_webhook_key'  => bin2hex(random_bytes(16)),
			'module_reverb_cron_key'     => bin2hex(random_bytes(16)),
		];
		foreach ($defaults as $key => $value) {
			if (!isset($settings[$key]) || $settings[$key] === '') {
				$settings[$key] = $value;
			}
		}
		$this->model_setting_setting->editSetting('module_reverb', $settings);
		$this->load->model('setting/event');
		foreach (self::EVENTS as $code => $event) {
			$this->model_setting_event->deleteEventByCode($code);
			$this->model_setting_event->addEvent([
				'code'        => $code,
				'description' => 'mod_reverb',
				'trigger'     => $event[0],
				'action'      => self::ROUTE . '.' . $event[1],
				'status'      => 1,
				'sort_order'  => 1,
			]);
		}
	}

	public function uninstall(): void {
		$this->load->model('setting/event');
		foreach (array_keys(self::EVENTS) as $code) {
			$this->model_setting_event->deleteEventByCode($code);
		}
	}

	/* admin/model/catalog/product/{add,edit,delete}Product/after: ask mod_reverb
	 * to queue the product now. Failures are ignored: mod_reverb's cron finds
	 * the change by content anyway. */
	public function eventProduct(string &$route, array &$args, mixed &$output = null): void {
		$product_id = 0;
		if (strpos($route, 'addProduct') !== false) {
			$product_id = (int)$output;
		} elseif (isset($args[0])) {
			$product_id = (int)$args[0];
		}
		if (!$product_id || !isset($this->session->data['user_token']) || !function_exists('curl_init')) {
			return;
		}
		$parts = parse_url(HTTP_SERVER);
		$url = $parts['scheme'] . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '')
		     . $this->base() . '/admin/product/' . $product_id . '/sync';
		$ch = curl_init($url);
		curl_setopt_array($ch, [
			CURLOPT_POST           => true,
			CURLOPT_POSTFIELDS     => '{}',
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_TIMEOUT        => 3,
			CURLOPT_HTTPHEADER     => ['Content-Type: application/json',
			                           'X-OC-User-Token: ' . $this->session->data['user_token']],
			CURLOPT_COOKIE         => 'OCSESSID=' . $this->session->getId(),
		]);
		curl_exec($ch);
		curl_close($ch);
	}

	/* admin/view/catalog/product_form/before: 4.0 has no OCMOD, so the tab is
	 * added to the template's text (or to what another extension made of it)
	 * at two anchors present in every 4.0 tag: the Report tab and its pane. */
	public function eventProductForm(string &$route, array &$data, string &$code): void {
		$li = '<li class="nav-item"><a href="#tab-report" data-bs-toggle="tab" class="nav-link">{{ tab_report }}</a></li>';
		$pane = '<div id="tab-report" class="tab-pane">';
		if ($code === '') {
			$file = DIR_TEMPLATE . 'catalog/product_form.twig';
			if (!is_file($file)) {
				return;
			}
			$code = (string)file_get_contents($file);
		}
		if (strpos($code, $li) === false || strpos($code, $pane) === false || strpos($code, 'id="tab-reverb"') !== false) {
			return;
		}
		$strings = $this->strings();
		$view = $this->common($strings['heading_title']);
		$view['product_id'] = isset($this->request->get['product_id']) ? (int)$this->request->get['product_id'] : 0;
		$data['reverb_tab_title'] = $strings['heading_title'];
		$data['reverb_tab'] = $this->load->view('extension/reverb/module/reverb_product', $view);
		$code = str_replace($li, $li . "\n" . '<li class="nav-item"><a href="#tab-reverb" data-bs-toggle="tab" class="nav-link" title="{{ reverb_tab_title }}"><i class="fa-solid fa-right-left"></i><span class="visually-hidden">{{ reverb_tab_title }}</span></a></li>', $code);
		$code = str_replace($pane, '<div id="tab-reverb" class="tab-pane">{{ reverb_tab }}</div>' . "\n" . $pane, $code);
	}

	/* admin/view/sale/order_info/before: 4.0's order page shows $data['tabs']
	 * (payment and fraud extensions); the Reverb panel is one more. */
	public function eventOrderInfo(string &$route, array &$data): void {
		$strings = $this->strings();
		$view = $this->common($strings['heading_title']);
		$view['order_id'] = isset($this->request->get['order_id']) ? (int)$this->request->get['order_id'] : 0;
		if (!isset($data['tabs']) || !is_array($data['tabs'])) {
			$data['tabs'] = [];
		}
		$data['tabs'][] = [
			'code'    => 'reverb',
			'title'   => $strings['heading_title'],
			'content' => $this->load->view('extension/reverb/module/reverb_order', $view),
		];
	}
}
