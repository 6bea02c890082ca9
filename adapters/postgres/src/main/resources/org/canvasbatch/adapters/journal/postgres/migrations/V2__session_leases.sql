-- Which server runs a session, until when. A server renews its leases by heartbeat; a lease whose time has passed may
-- be taken by any server, and the update that takes it decides the race.
create table canvas_batch_leases (
    session_id text        primary key,
    owner      text        not null,
    expires_at timestamptz not null
);
create index canvas_batch_leases_expiry on canvas_batch_leases (expires_at);
