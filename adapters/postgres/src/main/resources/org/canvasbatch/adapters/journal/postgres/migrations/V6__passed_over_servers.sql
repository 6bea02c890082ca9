-- Until when a server is no candidate for the sessions other servers place: set when a session placed on it (or run by
-- it) ran out of its lease there and another server placed it again. Without it only the server that let the lease
-- run out last was passed over, so two servers that publish a load but never take what is placed on them (a broken
-- or older build) drew a session back and forth, a lease each time, while healthy servers stood by.
alter table canvas_batch_servers add column passed_over_until timestamptz;
