-- Each server's load, published with its lease heartbeat, so that a session goes to the least loaded server; and, per
-- lease, when it was taken (a session placed since its server last published counts as filling it) and which server
-- it was taken over from (the server it lands on counts the move, once).
create table canvas_batch_servers (
    owner       text        primary key,
    running     integer     not null,
    concurrency integer     not null,
    seen_at     timestamptz not null
);
alter table canvas_batch_leases add column taken_at timestamptz not null default now();
alter table canvas_batch_leases add column moved_from text;
