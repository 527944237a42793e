-- mod_reverb schema. Idempotent: every statement may run again on a
-- database that already has it. Table prefix shown as `oc_`; the module and
-- the installer replace it with the configured prefix (ReverbTablePrefix).
-- All tables are InnoDB: OpenCart 3.0's own tables are MyISAM, so locking,
-- idempotency and the queue must live here. One statement per `;` + newline.

CREATE TABLE IF NOT EXISTS `oc_reverb_meta` (
  `name`  VARCHAR(64)  NOT NULL,
  `value` VARCHAR(255) NOT NULL DEFAULT '',
  `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `oc_reverb_product_map` (
  `product_id`           INT NOT NULL,
  `reverb_listing_id`    VARCHAR(64) NULL,
  `sync_enabled`         TINYINT(1) NOT NULL DEFAULT 0,
  `condition_uuid`       VARCHAR(64) NULL,
  `reverb_category_uuid` VARCHAR(64) NULL,
  `handmade`             TINYINT(1) NOT NULL DEFAULT 0,
  `upc_does_not_apply`   TINYINT(1) NOT NULL DEFAULT 1,
  `last_synced_at`       DATETIME NULL,
  `listing_state`        VARCHAR(32) NULL,
  `listing_url`          VARCHAR(512) NULL,
  `pushed_hash`          CHAR(64) NULL COMMENT 'SHA-256 of the listing body last pushed',
  `photos_hash`          CHAR(64) NULL COMMENT 'SHA-256 of the photo URL list last pushed',
  `synced_title`         VARCHAR(255) NULL COMMENT 'three-way merge base',
  `synced_description`   MEDIUMTEXT NULL,
  `synced_price`         DECIMAL(15,4) NULL,
  `synced_quantity`      INT NULL,
  `last_error`           TEXT NULL,
  `last_error_at`        DATETIME NULL,
  `updated_at`           DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`product_id`),
  KEY `listing` (`reverb_listing_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `oc_reverb_order_map` (
  `reverb_order_number` VARCHAR(64) NOT NULL,
  `order_id`            INT NOT NULL DEFAULT 0,
  `reverb_status`       VARCHAR(32) NOT NULL DEFAULT '',
  `order_bundle_id`     VARCHAR(64) NULL,
  `product_id`          INT NOT NULL DEFAULT 0,
  `quantity`            INT NOT NULL DEFAULT 0,
  `import_state`        VARCHAR(16) NOT NULL DEFAULT 'claimed' COMMENT 'claimed|imported|waiting',
  `stock_taken`         TINYINT(1) NOT NULL DEFAULT 0 COMMENT '1 while stock is decremented for this order',
  `claimed_at`          DATETIME(3) NULL,
  `created_at`          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at`          DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  `shipped_provider`    VARCHAR(64) NULL,
  `shipped_tracking`    VARCHAR(128) NULL,
  `shipped_at`          DATETIME NULL,
  PRIMARY KEY (`reverb_order_number`),
  KEY `order_id` (`order_id`),
  KEY `bundle` (`order_bundle_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `oc_reverb_sync_log` (
  `log_id`              INT NOT NULL AUTO_INCREMENT,
  `product_id`          INT NULL,
  `direction`           ENUM('push','pull') NOT NULL,
  `status`              ENUM('success','error') NOT NULL,
  `action`              VARCHAR(32) NOT NULL DEFAULT '' COMMENT 'create|update|end|lookup|order|webhook|...',
  `message`             TEXT NULL,
  `sku`                 VARCHAR(64) NULL,
  `reverb_listing_id`   VARCHAR(64) NULL,
  `reverb_order_number` VARCHAR(64) NULL,
  `http_status`         INT NULL,
  `errors`              TEXT NULL COMMENT 'Reverb errors object, JSON',
  `created_at`          DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`log_id`),
  KEY `product` (`product_id`),
  KEY `status` (`status`, `log_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The job queue. At most one live job per (kind, ref): `live_key` is set
-- while the job is pending or running and NULL once it ends, and is unique.
-- A change arriving while the job runs sets `again`, so the job runs once more.
CREATE TABLE IF NOT EXISTS `oc_reverb_job` (
  `job_id`       BIGINT NOT NULL AUTO_INCREMENT,
  `kind`         VARCHAR(32) NOT NULL COMMENT 'push|order|pull|prefetch',
  `ref`          VARCHAR(64) NOT NULL COMMENT 'product_id, order number, listing id',
  `live_key`     VARCHAR(100) NULL,
  `state`        VARCHAR(16) NOT NULL DEFAULT 'pending' COMMENT 'pending|running|done|failed',
  `priority`     INT NOT NULL DEFAULT 100 COMMENT 'lower runs first',
  `again`        TINYINT(1) NOT NULL DEFAULT 0,
  `attempts`     INT NOT NULL DEFAULT 0,
  `run_after`    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `lease_owner`  VARCHAR(128) NULL,
  `lease_until`  DATETIME(3) NULL,
  `run_id`       INT NULL COMMENT 'full sync run this job belongs to',
  `last_error`   TEXT NULL,
  `created_at`   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `updated_at`   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`job_id`),
  UNIQUE KEY `live_key` (`live_key`),
  KEY `claim` (`state`, `priority`, `run_after`),
  KEY `run` (`run_id`, `state`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A full catalogue sync ("Sync all"): progress is counted from its jobs.
CREATE TABLE IF NOT EXISTS `oc_reverb_sync_run` (
  `run_id`      INT NOT NULL AUTO_INCREMENT,
  `state`       VARCHAR(16) NOT NULL DEFAULT 'running' COMMENT 'running|finished',
  `total`       INT NOT NULL DEFAULT 0,
  `started_at`  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `finished_at` DATETIME(3) NULL,
  PRIMARY KEY (`run_id`),
  KEY `state` (`state`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Seller listings seen during a full sync's prefetch: SKU -> listing id.
CREATE TABLE IF NOT EXISTS `oc_reverb_listing_seen` (
  `sku`        VARCHAR(64) NOT NULL,
  `listing_id` VARCHAR(64) NOT NULL,
  `state`      VARCHAR(32) NOT NULL DEFAULT '',
  `run_id`     INT NOT NULL DEFAULT 0,
  PRIMARY KEY (`sku`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Shared rate limiter: one row per Reverb request in the sliding window,
-- serialised by the `rate` row of oc_reverb_lock. Shared by every process
-- and every server that uses this database.
CREATE TABLE IF NOT EXISTS `oc_reverb_rate` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `ts` DATETIME(6) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ts` (`ts`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Named leases and serialisation rows (rate, cron, sync, worker heartbeat).
CREATE TABLE IF NOT EXISTS `oc_reverb_lock` (
  `name`        VARCHAR(64) NOT NULL,
  `holder`      VARCHAR(128) NULL,
  `until`       DATETIME(3) NULL,
  `updated_at`  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Webhook deliveries as received (the body is only a hint).
CREATE TABLE IF NOT EXISTS `oc_reverb_webhook` (
  `webhook_id`  BIGINT NOT NULL AUTO_INCREMENT,
  `topic`       VARCHAR(64) NOT NULL DEFAULT '',
  `ref`         VARCHAR(64) NOT NULL DEFAULT '',
  `received_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`webhook_id`),
  KEY `received` (`received_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Small cache of Reverb lookups (categories, conditions), 24 h.
CREATE TABLE IF NOT EXISTS `oc_reverb_cache` (
  `name`       VARCHAR(64) NOT NULL,
  `value`      MEDIUMTEXT NOT NULL,
  `expires_at` DATETIME NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- v2: each Reverb order's amounts in the shop's default currency, so a
-- bundle's OpenCart totals can be recomputed from its parts.
ALTER TABLE `oc_reverb_order_map`
  ADD COLUMN IF NOT EXISTS `line_product_id` INT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS `amount_subtotal` DECIMAL(15,4) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS `amount_shipping` DECIMAL(15,4) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS `amount_tax` DECIMAL(15,4) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS `amount_total` DECIMAL(15,4) NOT NULL DEFAULT 0;

-- v3: change detection skips products whose inputs (product rows, map
-- row, settings) are as they were when the product was last found
-- unchanged, without mapping them again (the digest kept: v8's
-- reverb_source; v3 to v7 kept it in a map column).

-- v4: webhook deliveries for unknown orders are capped per minute; the
-- count reads this index, not the whole queue.
ALTER TABLE `oc_reverb_job`
  ADD INDEX IF NOT EXISTS `kind_created` (`kind`, `created_at`);

-- v4: housekeeping deletes old rows by these indexes (sync log by
-- created_at, finished jobs by state and updated_at). The sync log page
-- reads each filter's entries in log_id order from one index (`status`,
-- `direction`, `status_direction`, `product`), never the whole table.
ALTER TABLE `oc_reverb_sync_log`
  ADD KEY IF NOT EXISTS `created` (`created_at`),
  ADD KEY IF NOT EXISTS `direction` (`direction`),
  ADD KEY IF NOT EXISTS `status_direction` (`status`, `direction`);

ALTER TABLE `oc_reverb_job`
  ADD KEY IF NOT EXISTS `finished` (`state`, `updated_at`);

-- v5: a stock move for a Reverb order is written down before it runs.
-- OpenCart's product table is MyISAM: a statement that fails late (or a
-- server crash) can leave its stock moved while our InnoDB flag rolled
-- back. A row still 'pending' when the order is handled again tells which
-- it was (reverb_stock_move in rv_orders.c); a finished move deletes it.
CREATE TABLE IF NOT EXISTS `oc_reverb_stock_move` (
  `move_id`             BIGINT NOT NULL AUTO_INCREMENT,
  `reverb_order_number` VARCHAR(64) NOT NULL,
  `product_id`          INT NOT NULL,
  `take`                TINYINT(1) NOT NULL COMMENT '1 sale, 0 restock',
  `quantity`            INT NOT NULL,
  `quantity_before`     INT NOT NULL,
  `state`               VARCHAR(16) NOT NULL DEFAULT 'pending' COMMENT 'pending|reconciled|unclear',
  `created_at`          DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`move_id`),
  KEY `pending` (`reverb_order_number`, `take`, `state`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- v5: a run is a full sync ("Sync all") or a match: one prefetch of the
-- seller's listings that several new products found by cron wait for,
-- instead of one SKU lookup each.
ALTER TABLE `oc_reverb_sync_run`
  ADD COLUMN IF NOT EXISTS `kind` VARCHAR(8) NOT NULL DEFAULT 'full' COMMENT 'full|match';

-- v5: per-product "accept offers": NULL follows the shop's setting
-- (module_reverb_offers_enabled), 0/1 overrides it for this product.
ALTER TABLE `oc_reverb_product_map`
  ADD COLUMN IF NOT EXISTS `offers_enabled` TINYINT(1) NULL DEFAULT NULL;

-- v6 (reconcile): the reconcile view (issue 11 item 5). A run pages
-- through the seller's listings (`next_page`, its cursor: stored
-- with each page, so a run taken over after its process died goes on from
-- there), keeps what it read in reverb_reconcile_listing, then compares
-- every mapped product and lists what differs in reverb_reconcile_finding.
-- The weekly pass: oc_reverb_meta 'reconcile_last_finished' (UTC).
CREATE TABLE IF NOT EXISTS `oc_reverb_reconcile_run` (
  `run_id`           BIGINT NOT NULL AUTO_INCREMENT,
  `state`            VARCHAR(16) NOT NULL DEFAULT 'running' COMMENT 'running|finished|failed',
  `started_by`       VARCHAR(8) NOT NULL DEFAULT 'admin' COMMENT 'admin|cron',
  `phase`            VARCHAR(16) NOT NULL DEFAULT 'listings' COMMENT 'listings|compare|done',
  `next_page`        VARCHAR(1024) NULL COMMENT 'the cursor: next page of my/listings to read',
  `pages_read`       INT NOT NULL DEFAULT 0,
  `listings_seen`    INT NOT NULL DEFAULT 0,
  `listings_total`   INT NULL COMMENT 'Reverb''s total on the first page',
  `products_checked` INT NOT NULL DEFAULT 0,
  `findings`         INT NOT NULL DEFAULT 0,
  `error`            TEXT NULL,
  `started_at`       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `finished_at`      DATETIME(3) NULL,
  PRIMARY KEY (`run_id`),
  KEY `state` (`state`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `oc_reverb_reconcile_listing` (
  `run_id`     BIGINT NOT NULL,
  `listing_id` VARCHAR(20) NOT NULL,
  `sku`        VARCHAR(64) NULL,
  `state`      VARCHAR(32) NULL,
  `title`      TEXT NULL,
  `price`      VARCHAR(32) NULL,
  `inventory`  BIGINT NULL,
  `url`        VARCHAR(512) NULL,
  PRIMARY KEY (`run_id`, `listing_id`),
  KEY `sku` (`run_id`, `sku`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `oc_reverb_reconcile_finding` (
  `finding_id`   BIGINT NOT NULL AUTO_INCREMENT,
  `run_id`       BIGINT NOT NULL,
  `kind`         VARCHAR(16) NOT NULL COMMENT 'price|stock|title|state|unlinked|unsellable',
  `reason`       VARCHAR(16) NULL COMMENT 'unsellable: disabled|not_synced|out_of_stock; state: missing',
  `product_id`   INT NULL,
  `listing_id`   VARCHAR(20) NULL,
  `sku`          VARCHAR(64) NULL,
  `shop_value`   TEXT NULL,
  `reverb_value` TEXT NULL,
  `listing_url`  VARCHAR(512) NULL,
  `fix`          VARCHAR(8) NOT NULL COMMENT 'push|end|link',
  `fix_state`    VARCHAR(16) NULL COMMENT 'queued|done|failed',
  `fix_message`  TEXT NULL,
  `fixed_at`     DATETIME(3) NULL,
  PRIMARY KEY (`finding_id`),
  KEY `run_kind` (`run_id`, `kind`),
  KEY `listing` (`listing_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- v6 (shipping): per-product shipping profile and local pickup; NULL
-- follows the shop's settings (module_reverb_shipping_profile_id,
-- module_reverb_local_pickup).
ALTER TABLE `oc_reverb_product_map`
  ADD COLUMN IF NOT EXISTS `shipping_profile_id` VARCHAR(20) NULL DEFAULT NULL,
  ADD COLUMN IF NOT EXISTS `local_pickup` TINYINT(1) NULL DEFAULT NULL;
-- v6 (limits): change detection's watermarks, one row per store, shared by
-- every process and server. A cron cycle checks only what changed since
-- the last one (check_*: map rows by updated_at, products by date_modified
-- and specials by their dates in the shop's time, orders and order history
-- by id); the whole catalogue is read by content when full_fp (the settings
-- fingerprint of the last full scan) differs, or full_at is older than
-- ReverbFullScanInterval, or on the first cycle.
CREATE TABLE IF NOT EXISTS `oc_reverb_detect` (
  `store_id`      INT NOT NULL,
  `full_at`       DATETIME(3) NULL COMMENT 'start of the last full scan (UTC)',
  `full_fp`       CHAR(64) NULL,
  `check_at`      DATETIME(3) NULL COMMENT 'start of the last check (UTC)',
  `check_shop`    DATETIME NULL COMMENT 'the same moment in shop time',
  `order_id`      INT NOT NULL DEFAULT 0,
  `history_id`    INT NOT NULL DEFAULT 0,
  `updated_at`    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`store_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- v6 (limits): the incremental check reads the map rows changed since the
-- last cycle from this index.
ALTER TABLE `oc_reverb_product_map`
  ADD KEY IF NOT EXISTS `updated` (`updated_at`);

-- v6 (limits): the incremental check finds products edited since the last
-- cycle by OpenCart's date_modified; without an index that is a scan of
-- the whole product table every minute. One of the two changes mod_reverb
-- makes to an OpenCart table's structure (an index: OpenCart reads and writes the
-- table as before; it stays if the module is removed, and is harmless).
ALTER TABLE `oc_product`
  ADD INDEX IF NOT EXISTS `reverb_date_modified` (`date_modified`);

-- v7 (webhook accept): a delivery is recorded by one autocommitted
-- statement (the key checked in it) with queued = 0, what it names in
-- `kind` (order|pull) and `ref`; the worker (at least once a second) and
-- cron turn waiting deliveries into jobs in batches (index `waiting`) and
-- mark them queued = 1. Rows from before v7 were queued when recorded.
ALTER TABLE `oc_reverb_webhook`
  ADD COLUMN IF NOT EXISTS `kind` VARCHAR(8) NOT NULL DEFAULT '' COMMENT 'order|pull',
  ADD COLUMN IF NOT EXISTS `queued` TINYINT(1) NOT NULL DEFAULT 1,
  ADD KEY IF NOT EXISTS `waiting` (`queued`, `webhook_id`);

-- v7 (webhook accept): the delivery's statement finds the stored webhook
-- key (and the order-import switch) by this index instead of reading the
-- whole setting table for every delivery. Like reverb_date_modified on
-- oc_product: an index only; OpenCart reads and writes the table as before,
-- and it stays, harmless, if the module is removed. 516 bytes: within
-- MyISAM's key limit (OpenCart 3 keeps oc_setting in MyISAM).
ALTER TABLE `oc_setting`
  ADD INDEX IF NOT EXISTS `reverb_store_key` (`store_id`, `key`);

-- v8 (first pass): the inputs' digest of each product last found with
-- nothing to send, in a narrow table of its own: a first pass over 100,000
-- products writes 100,000 of them, and writing a 32-byte row costs about
-- half of growing a wide map row by one column. A row whose map row is
-- gone is harmless (the digest covers the map row's columns) and stays
-- until the module is removed. The column it replaces is dropped (its
-- digests are computed again by the first full scan after the upgrade,
-- which the new schema version's fingerprint starts).
CREATE TABLE IF NOT EXISTS `oc_reverb_source` (
  `product_id`  INT NOT NULL,
  `source_hash` CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
                COMMENT 'digest of the inputs when last found with nothing to send',
  PRIMARY KEY (`product_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `oc_reverb_product_map`
  DROP COLUMN IF EXISTS `source_hash`;

-- v9 (claims at the rate limit's pace): a claim walks this index in
-- order and stops at the first due job; `claim` (state, priority,
-- run_after) cannot give (priority, job_id) order, so each claim read and
-- sorted every waiting job.
ALTER TABLE `oc_reverb_job`
  ADD KEY IF NOT EXISTS `pick` (`state`, `priority`, `job_id`);

INSERT IGNORE INTO `oc_reverb_lock` (`name`) VALUES ('rate'), ('cron'), ('sync'), ('worker');
