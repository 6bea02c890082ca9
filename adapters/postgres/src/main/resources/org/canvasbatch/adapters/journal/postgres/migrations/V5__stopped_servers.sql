-- Which live server clears up after a server that stopped (its heartbeat in canvas_batch_servers ran out): it writes
-- the note links the stopped one left in the shared vault, then deletes the row. Null until one claims it; a claim
-- by a server that stopped too may be taken by another.
alter table canvas_batch_servers add column ledger_adopted_by text;
