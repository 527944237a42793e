<?php
/**
 * Reverb module for OpenCart 4.0.2.x, storefront side: one event. When
 * OpenCart records an order status change (a checkout, an admin order edit,
 * which 4.0 runs through the catalog's API, a cancellation that restocks),
 * tell mod_reverb which products' stock may have moved, so that Reverb hears
 * of a sale in seconds instead of at the next cron cycle. mod_reverb decides
 * what to push; failures are ignored (the checkout never waits on Reverb,
 * and mod_reverb's cron finds every stock change by content anyway).
 */
namespace Opencart\Catalog\Controller\Extension\Reverb\Module;

class Reverb extends \Opencart\System\Engine\Controller {
	const BASE = '/reverb';

	/* catalog/model/checkout/order/addHistory/after */
	public function eventOrderHistory(string &$route, array &$args, mixed &$output = null): void {
		$order_id = isset($args[0]) ? (int)$args[0] : 0;
		$key = (string)$this->config->get('module_reverb_cron_key');
		if (!$order_id || $key === '' || !$this->config->get('module_reverb_status') || !function_exists('curl_init')) {
			return;
		}
		$ids = [];
		$query = $this->db->query("SELECT DISTINCT `product_id` FROM `" . DB_PREFIX . "order_product` WHERE `order_id` = '" . $order_id . "'");
		foreach ($query->rows as $row) {
			$ids[] = (int)$row['product_id'];
		}
		if (!$ids) {
			return;
		}
		$parts = parse_url(HTTP_SERVER);
		if (!$parts || empty($parts['scheme']) || empty($parts['host'])) {
			return;
		}
		$url = $parts['scheme'] . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '')
		     . self::BASE . '/stock-changed';
		$ch = curl_init($url);
		curl_setopt_array($ch, [
			CURLOPT_POST           => true,
			CURLOPT_POSTFIELDS     => json_encode(['product_ids' => $ids]),
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_CONNECTTIMEOUT => 1,
			CURLOPT_TIMEOUT        => 2,
			CURLOPT_NOSIGNAL       => true,
			CURLOPT_HTTPHEADER     => ['Content-Type: application/json', 'X-Reverb-Cron-Key: ' . $key],
		]);
		curl_exec($ch);
		curl_close($ch);
	}
}
