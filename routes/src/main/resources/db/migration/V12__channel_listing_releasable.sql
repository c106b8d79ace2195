-- Whether ops may release a held listing. Not when the master data has no usable price (none, another currency, not
-- above zero): a release published the figure the hold was computed from, 0.00 or a USD amount as EUR. Such a hold
-- clears itself when the master data is fixed. Holds made before this column are judged by their reason.
ALTER TABLE channel_listing ADD COLUMN releasable BOOLEAN DEFAULT TRUE NOT NULL;
UPDATE channel_listing SET releasable = FALSE
    WHERE state = 'HELD' AND (hold_reason LIKE 'no price in the master data%' OR hold_reason LIKE 'master price is in %');
