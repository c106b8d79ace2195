-- Ops paused a channel's stock and price pushes (a marketplace's maintenance window, an account under review, a
-- listing problem being sorted out with the partner): who, why and since when. Nothing is lost meanwhile: stock
-- changes wait in the stock change log after the channel's cursor, prices in its last-value queue, and both go,
-- conflated to the newest figure per SKU, when ops resume the channel (the row is deleted).
CREATE TABLE channel_pause (
    channel   VARCHAR(40)  NOT NULL PRIMARY KEY,
    paused_by VARCHAR(200) NOT NULL,
    reason    VARCHAR(500),
    paused_at TIMESTAMP WITH TIME ZONE NOT NULL
);
