-- The sessions a server's published load accounts for: those it held when it published. A lease it holds that is not
-- among them (placed on it since, or placed before and not yet taken) fills it until its next heartbeat counts the
-- session. Before, a lease counted only when taken after the server's last heartbeat, so a heartbeat sent between a
-- placement and the take published a load without the session, and the server looked idle and drew the next one too.
alter table canvas_batch_servers add column counted text[];
