package org.canvasbatch.adapters.journal;

import org.canvasbatch.application.port.out.EventLog;

class InMemoryEventLogTest extends EventLogContract {

    @Override
    protected EventLog createLog() {
        return new InMemoryEventLog();
    }
}
