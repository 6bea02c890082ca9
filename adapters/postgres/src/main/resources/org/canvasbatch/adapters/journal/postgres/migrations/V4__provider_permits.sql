-- A cluster-wide limit on the calls in flight to one model provider: a row per permit taken, in one of the limit's
-- slots, held by a server until it gives it back or stops renewing it (then its expiry frees the slot).
create table canvas_batch_permits (
    provider   text        not null,
    slot       integer     not null,
    owner      text        not null,
    expires_at timestamptz not null,
    primary key (provider, slot)
);
