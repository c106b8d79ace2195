-- Ops asked for a channel to be told every SKU's stock again (its stock was edited by hand, restored from a backup,
-- or it lost updates during an outage): who asked. The request also sets full_sync_after to '' (start from the first
-- SKU); the instance pushing to the channel sees it when it next moves its cursor, and the next claim clears it.
ALTER TABLE channel_stock_cursor ADD COLUMN resync_requested_by VARCHAR(200);
