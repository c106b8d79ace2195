-- Orders cancelled on their channel. Webhooks come in any order (Shopify retries a failed delivery for up to two
-- days), and an order's reservation can wait in a dead-letter queue: a cancellation that comes first leaves this row,
-- and the order's reservation, when it comes, takes nothing. Without it those units stayed reserved for an order that
-- no longer existed, until ops released them.
CREATE TABLE order_cancellation (
    order_key    VARCHAR(200) NOT NULL PRIMARY KEY,
    cancelled_at TIMESTAMP WITH TIME ZONE NOT NULL
);
