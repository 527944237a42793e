-- Demo catalogue for `make demo`: an Australian music shop (AUD) with a
-- Guitars & Effects category and a handful of products marked for Reverb.
-- Loaded on top of OpenCart's own opencart.sql seed.

INSERT INTO oc_currency (currency_id, title, code, symbol_left, symbol_right, decimal_place, value, status, date_modified)
VALUES (4, 'Australian Dollar', 'AUD', '$', '', '2', 1.00000000, 1, NOW());
UPDATE oc_currency SET value = 0.6600 WHERE code = 'USD';
UPDATE oc_setting SET value = 'AUD' WHERE store_id = 0 AND `key` = 'config_currency';

INSERT INTO oc_category (category_id, image, parent_id, top, `column`, sort_order, status, date_added, date_modified)
VALUES (100, '', 0, 1, 1, 0, 1, NOW(), NOW());
INSERT INTO oc_category_description (category_id, language_id, name, description, meta_title, meta_description, meta_keyword)
VALUES (100, 1, 'Guitars &amp; Effects', '', 'Guitars', '', '');
INSERT INTO oc_category_path (category_id, path_id, level) VALUES (100, 100, 0);
INSERT INTO oc_category_to_store (category_id, store_id) VALUES (100, 0);

INSERT INTO oc_manufacturer (manufacturer_id, name, image, sort_order) VALUES
(100, 'Fender', '', 0), (101, 'Gibson', '', 0), (102, 'Boss', '', 0), (103, 'Roland', '', 0);

INSERT INTO oc_product (product_id, model, sku, upc, ean, jan, isbn, mpn, location, quantity, stock_status_id,
  image, manufacturer_id, shipping, price, points, tax_class_id, date_available, weight, weight_class_id,
  length, width, height, length_class_id, subtract, minimum, sort_order, status, viewed, date_added, date_modified)
VALUES
(1001, 'Player Stratocaster', 'FEN-STRAT-PLY', '', '', '', '', '', '', 4, 7, 'catalog/demo/strat.jpg', 100, 1, 1299.0000, 0, 0, '2020-01-01', 3.6, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, NOW(), NOW()),
(1002, 'Les Paul Standard ''50s', 'GIB-LP-50S', '', '', '', '', '', '', 1, 7, 'catalog/demo/lespaul.jpg', 101, 1, 4499.0000, 0, 0, '2020-01-01', 4.1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, NOW(), NOW()),
(1003, 'DS-1 Distortion', 'BOSS-DS1', '', '', '', '', '', '', 12, 7, 'catalog/demo/ds1.jpg', 102, 1, 89.0000, 0, 0, '2020-01-01', 0.4, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, NOW(), NOW()),
(1004, 'JC-120 Jazz Chorus (used)', 'ROL-JC120-U', '', '', '', '', '', '', 3, 7, '', 103, 1, 1150.0000, 0, 0, '2020-01-01', 28, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, NOW(), NOW()),
(1005, 'Telecaster &quot;Thinline&quot; Reissue', 'FEN-TELE-TL', '', '', '', '', '', '', 2, 7, 'catalog/demo/tele.jpg', 100, 1, 1899.0000, 0, 0, '2020-01-01', 3.4, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, NOW(), NOW());

INSERT INTO oc_product_description (product_id, language_id, name, description, tag, meta_title, meta_description, meta_keyword) VALUES
(1001, 1, 'Fender Player Stratocaster &amp; Gig Bag', '&lt;p&gt;Alder body, maple neck.&lt;br&gt;Three Player Series single-coils.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Tremolo&lt;/li&gt;&lt;li&gt;Gig bag included&lt;/li&gt;&lt;/ul&gt;', '', 'Strat', '', ''),
(1002, 1, 'Gibson Les Paul Standard ''50s – Heritage Cherry', '&lt;p&gt;Solid mahogany body with a maple top. Café-racer vibe: Burstbucker pickups &amp;amp; vintage tone.&lt;/p&gt;', '', 'Les Paul', '', ''),
(1003, 1, 'Boss DS-1 Distortion Pedal', '&lt;p&gt;The classic orange box since 1978.&lt;/p&gt;', '', 'DS-1', '', ''),
(1004, 1, 'Roland JC-120 Jazz Chorus Amp (used, 1984)', '&lt;p&gt;Used, fully serviced. Minor tolex wear.&lt;/p&gt;', '', 'JC-120', '', ''),
(1005, 1, 'Fender Telecaster &quot;Thinline&quot; ''72 Reissue', '&lt;h2&gt;Semi-hollow&lt;/h2&gt;&lt;p&gt;Two Wide Range humbuckers.&lt;/p&gt;', '', 'Tele', '', '');

INSERT INTO oc_product_image (product_id, image, sort_order) VALUES
(1001, 'catalog/demo/strat-back.jpg', 2), (1001, 'catalog/demo/strat-head.jpg', 1),
(1002, 'catalog/demo/lespaul back.jpg', 1);

INSERT INTO oc_product_special (product_id, customer_group_id, priority, price, date_start, date_end)
VALUES (1003, 1, 1, 79.0000, '0000-00-00', '0000-00-00');

INSERT INTO oc_product_to_category (product_id, category_id) VALUES
(1001, 100), (1002, 100), (1003, 100), (1004, 100), (1005, 100);
INSERT INTO oc_product_to_store (product_id, store_id) VALUES
(1001, 0), (1002, 0), (1003, 0), (1004, 0), (1005, 0);
