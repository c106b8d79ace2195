-- Stock towards the channels moves from per-channel rows and per-channel signals to one change log that every
-- channel reads with its own cursor. Writing three channel rows and sending three persistent signals for every stock
-- report cost about seven times the report itself; now a ledger transaction appends one row naming the SKUs whose
-- figures it changed, and each channel's pusher computes available-to-sell from the ledger when it pushes.

-- One row per transaction that changed stock figures: the SKUs and, for each, when its source change happened (for
-- the sync-lag metric), as a JSON array [[sku, epoch millis], …]. seq is taken from stock_change_counter at the end
-- of the transaction under that row's lock, so rows become visible in seq order and a cursor never skips one.
CREATE TABLE stock_change (
    seq        BIGINT  NOT NULL PRIMARY KEY,
    skus       VARCHAR NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE stock_change_counter (
    id  INT    NOT NULL PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO stock_change_counter (id, seq) VALUES (1, 0);

-- How far each channel's pusher got in stock_change (every SKU of the rows up to position is pushed), and which hub
-- instance pushes to the channel: one at a time, for as long as its lease runs. full_sync_after: the channel is new
-- and is being told every SKU in SKU order; the last SKU done (empty: not started), NULL when done.
CREATE TABLE channel_stock_cursor (
    channel         VARCHAR(40)  NOT NULL PRIMARY KEY,
    position        BIGINT       NOT NULL,
    full_sync_after VARCHAR(200),
    owner           VARCHAR(200) NOT NULL,
    lease_until     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

DROP TABLE channel_stock;
