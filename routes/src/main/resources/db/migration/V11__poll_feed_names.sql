-- A stock drop folder is a feed too, polled by one instance at a time, and is named by its path: longer names.
ALTER TABLE poll_cursor ALTER COLUMN name SET DATA TYPE VARCHAR(500);
