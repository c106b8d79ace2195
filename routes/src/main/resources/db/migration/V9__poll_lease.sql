-- Pollers run on one instance at a time (design §8): each ERP feed (Tryton's stock moves, its products) is polled by
-- the instance that holds the lease in the feed's cursor row, and another instance takes it over when the lease has
-- run out. Without it every replica polled the ERP, which multiplied its load and sent every change once per replica.
-- A lease is taken before the feed's first poll, so the row may exist before it has a position.
ALTER TABLE poll_cursor ADD COLUMN owner VARCHAR(200);
ALTER TABLE poll_cursor ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE poll_cursor ALTER COLUMN position DROP NOT NULL;
