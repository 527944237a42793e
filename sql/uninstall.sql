-- Drops mod_reverb's tables (prefix shown as `oc_`). OpenCart's own rows
-- (orders imported, settings) are left as they are.
DROP TABLE IF EXISTS `oc_reverb_meta`, `oc_reverb_product_map`, `oc_reverb_order_map`,
  `oc_reverb_sync_log`, `oc_reverb_job`, `oc_reverb_sync_run`, `oc_reverb_listing_seen`,
  `oc_reverb_rate`, `oc_reverb_lock`, `oc_reverb_webhook`, `oc_reverb_cache`,
  `oc_reverb_stock_move`, `oc_reverb_reconcile_run`, `oc_reverb_reconcile_listing`,
  `oc_reverb_reconcile_finding`, `oc_reverb_detect`, `oc_reverb_source`;
