-- Every event of every session is one row; (session_id, seq) is unique, so of two servers appending the same next seq
-- exactly one commits and the other learns it lost the race.
create table canvas_batch_events (
    session_id  text        not null,
    seq         bigint      not null check (seq > 0),
    event_type  text        not null,
    recorded_at timestamptz not null,
    body        bytea       not null,
    primary key (session_id, seq)
);

-- The store's identity: clients that reconnect compare it to learn whether history was lost.
create table canvas_batch_store (
    epoch      text        not null,
    created_at timestamptz not null default now()
);
insert into canvas_batch_store (epoch) values (gen_random_uuid()::text);
