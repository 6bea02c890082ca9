package org.canvasbatch.application.port.out;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.junit.jupiter.api.Test;

class VaultExceptionTest {

    /** The words docs/contract.md §6 and docs/asyncapi.yaml give clients, one for each reason. */
    @Test
    void eachReasonIsTheErrorTypeTheContractNames() {
        assertThat(Arrays.stream(Reason.values())
                        .map(reason -> new VaultException(reason, "a.md", "refused").errorType()))
                .containsExactly(
                        "vault_not_found",
                        "vault_not_a_file",
                        "vault_invalid_canvas",
                        "vault_outside_vault",
                        "vault_too_large",
                        "vault_full",
                        "vault_io");
    }
}
