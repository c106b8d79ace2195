-- Open reservations (HELD, CONFIRMED) oldest first, for the ops view and the gauges of what is still held: released
-- rows stay for the record, so without this every look would read all of them.
CREATE INDEX stock_reservation_by_state ON stock_reservation (state, created_at);
