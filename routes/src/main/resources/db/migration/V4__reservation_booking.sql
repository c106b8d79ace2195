-- When the hub started booking a reservation's order in the ERP. An ERP stock figure read while that booking is under
-- way (or before its confirmation) may or may not include the sale: the hub cannot tell, so the figure is kept but not
-- pushed until the booking's answer says which it is.
ALTER TABLE stock_reservation ADD COLUMN booking_at TIMESTAMP WITH TIME ZONE;
