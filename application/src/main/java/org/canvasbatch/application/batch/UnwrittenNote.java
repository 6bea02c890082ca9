package org.canvasbatch.application.batch;

import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.VaultException;

/**
 * The agent answered but the vault's disk is full: the note, as it would have been written, to be written once there is
 * room, so that the model is not asked again for it. Its cause is the vault's refusal, in the vault's words.
 */
final class UnwrittenNote extends RuntimeException {

    private final transient NoteDraft draft;
    private final transient AgentAnswer answer;

    UnwrittenNote(VaultException refusal, NoteDraft draft, AgentAnswer answer) {
        super(refusal.getMessage(), refusal, false, false);
        this.draft = draft;
        this.answer = answer;
    }

    VaultException refusal() {
        return (VaultException) getCause();
    }

    NoteDraft draft() {
        return draft;
    }

    AgentAnswer answer() {
        return answer;
    }
}
