-- One row per SKU the hub has heard of. Every change to a SKU's stock (a ledger entry, a reservation) locks this row
-- first, so the available-to-sell figures of one SKU are computed by one transaction at a time, on any replica.
CREATE TABLE stock_item (
    sku        VARCHAR(200) NOT NULL PRIMARY KEY,
    reserved   BIGINT       NOT NULL,
    changed_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The newest stock report per SKU and location. A report replaces the row only when it is newer (its source
-- timestamp as_of, then its version for reports of the same instant), so a late, repeated or reordered report never
-- moves stock backwards.
CREATE TABLE stock_ledger (
    sku         VARCHAR(200) NOT NULL,
    location_id VARCHAR(100) NOT NULL,
    on_hand     BIGINT       NOT NULL,
    version     BIGINT       NOT NULL,
    as_of       TIMESTAMP WITH TIME ZONE NOT NULL,
    source      VARCHAR(100) NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (sku, location_id)
);

-- Quantities sold on a channel that the ERP's stock does not show yet. HELD from the order until the ERP confirms
-- the sale (CONFIRMED, confirmed_at set); released when an ERP stock report newer than the confirmation arrives
-- (the ERP's stock then counts the sale) or when the order is cancelled.
CREATE TABLE stock_reservation (
    order_key      VARCHAR(200) NOT NULL,
    sku            VARCHAR(200) NOT NULL,
    quantity       BIGINT       NOT NULL,
    channel        VARCHAR(40)  NOT NULL,
    state          VARCHAR(20)  NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    confirmed_at   TIMESTAMP WITH TIME ZONE,
    released_at    TIMESTAMP WITH TIME ZONE,
    release_reason VARCHAR(100),
    PRIMARY KEY (order_key, sku)
);
CREATE INDEX stock_reservation_open ON stock_reservation (sku, state);

-- What each channel should show (quantity, computed_seq) and what it was last told (pushed_*). A row whose
-- pushed_seq is behind computed_seq still has to be pushed; changed_at is when the source change happened, for
-- the sync-lag metric.
CREATE TABLE channel_stock (
    channel         VARCHAR(40)  NOT NULL,
    sku             VARCHAR(200) NOT NULL,
    quantity        BIGINT       NOT NULL,
    computed_seq    BIGINT       NOT NULL,
    changed_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    pushed_quantity BIGINT,
    pushed_seq      BIGINT,
    pushed_at       TIMESTAMP WITH TIME ZONE,
    -- The channel refused this computation (a dead letter says why): the sweep leaves it to ops.
    rejected_seq    BIGINT,
    PRIMARY KEY (channel, sku)
);
-- A SKU's rows for every channel (each recomputation) and a batch of SKUs for one channel (each push).
CREATE INDEX channel_stock_sku ON channel_stock (sku, channel);

-- The listing each channel should show (price, fingerprint of everything published) and the last one it was told.
-- A HELD row waits for ops with its reason; nothing is published for it until released.
CREATE TABLE channel_listing (
    channel               VARCHAR(40)   NOT NULL,
    sku                   VARCHAR(200)  NOT NULL,
    title                 VARCHAR(500),
    price                 DECIMAL(19,4) NOT NULL,
    currency              CHAR(3)       NOT NULL,
    fingerprint           VARCHAR(64)   NOT NULL,
    state                 VARCHAR(20)   NOT NULL,
    hold_reason           VARCHAR(2000),
    computed_seq          BIGINT        NOT NULL,
    changed_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    published_price       DECIMAL(19,4),
    published_fingerprint VARCHAR(64),
    published_seq         BIGINT,
    published_at          TIMESTAMP WITH TIME ZONE,
    released_by           VARCHAR(100),
    rejected_seq          BIGINT,
    PRIMARY KEY (channel, sku)
);
CREATE INDEX channel_listing_sku ON channel_listing (sku, channel);
CREATE INDEX channel_listing_state ON channel_listing (state);

-- Where each poller got to (Tryton stock moves, Tryton products), so a restart resumes instead of starting over.
CREATE TABLE poll_cursor (
    name       VARCHAR(100) NOT NULL PRIMARY KEY,
    position   VARCHAR(100) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
