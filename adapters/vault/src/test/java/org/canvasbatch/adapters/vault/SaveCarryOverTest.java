package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/**
 * What the learner did in a save that went into the replaced file reaches the canvas they saved after it, except
 * where that later save did something else to the same node.
 */
class SaveCarryOverTest {

    private static JsonObject canvas(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json.replace('\'', '"')))) {
            return reader.readObject();
        }
    }

    @Test
    void addsChangesAndRemovalsOfTheLostSaveAreCarriedIntoTheLaterSave() {
        JsonObject read = canvas("{'nodes':[{'id':'a','text':'1'},{'id':'b','text':'1'}],'edges':[]}");
        JsonObject lost = canvas("{'nodes':[{'id':'a','text':'2'},{'id':'c','text':'new'}],"
                + "'edges':[{'id':'e','fromNode':'a','toNode':'c'}]}");
        JsonObject written = canvas("{'nodes':[{'id':'a','text':'1'},{'id':'b','text':'1'},{'id':'note'}],'edges':[]}");
        JsonObject now =
                canvas("{'nodes':[{'id':'a','text':'1'},{'id':'b','text':'1'},{'id':'note'},{'id':'d','text':'later'}],"
                        + "'edges':[]}");

        JsonObject carried = SaveCarryOver.carry(read, lost, written, now);

        assertThat(carried)
                .isEqualTo(canvas("{'nodes':[{'id':'a','text':'2'},{'id':'note'},{'id':'d','text':'later'},"
                        + "{'id':'c','text':'new'}],'edges':[{'id':'e','fromNode':'a','toNode':'c'}]}"));
    }

    @Test
    void whatTheLaterSaveChangedItselfStaysAsItSavedIt() {
        JsonObject read = canvas("{'nodes':[{'id':'a','text':'1'},{'id':'b','text':'1'}]}");
        JsonObject lost = canvas("{'nodes':[{'id':'a','text':'lost'}]}");
        JsonObject written = canvas("{'nodes':[{'id':'a','text':'1'},{'id':'b','text':'1'}]}");
        JsonObject now = canvas("{'nodes':[{'id':'a','text':'later'},{'id':'b','text':'later'}]}");

        assertThat(SaveCarryOver.carry(read, lost, written, now)).isEqualTo(now);
    }

    @Test
    void withNoLaterSaveTheLostSaveIsCarriedIntoWhatTheWriteBackWrote() {
        JsonObject read = canvas("{'nodes':[{'id':'a'}],'edges':[]}");
        JsonObject lost = canvas("{'nodes':[{'id':'a'},{'id':'mine'}],'edges':[]}");
        JsonObject written = canvas("{'nodes':[{'id':'a'},{'id':'note'}],'edges':[{'id':'link'}]}");

        assertThat(SaveCarryOver.carry(read, lost, written, written))
                .isEqualTo(canvas("{'nodes':[{'id':'a'},{'id':'note'},{'id':'mine'}],'edges':[{'id':'link'}]}"));
    }

    @Test
    void aNodeTheLostSaveRemovedTakesTheEdgesTheLaterSaveDrawsToIt() {
        JsonObject read = canvas("{'nodes':[{'id':'q'},{'id':'a'}],'edges':[{'id':'qa','fromNode':'q','toNode':'a'}]}");
        JsonObject lost = canvas("{'nodes':[{'id':'a'}],'edges':[]}");
        JsonObject written = canvas("{'nodes':[{'id':'q'},{'id':'a'},{'id':'note'}],"
                + "'edges':[{'id':'qa','fromNode':'q','toNode':'a'},{'id':'link','fromNode':'q','toNode':'note'}]}");
        JsonObject now = canvas("{'nodes':[{'id':'q'},{'id':'a'},{'id':'note'},{'id':'later'}],"
                + "'edges':[{'id':'qa','fromNode':'q','toNode':'a'},{'id':'link','fromNode':'q','toNode':'note'}]}");

        assertThat(SaveCarryOver.carry(read, lost, written, now))
                .isEqualTo(canvas("{'nodes':[{'id':'a'},{'id':'note'},{'id':'later'}],'edges':[]}"));
    }

    @Test
    void anEdgeTheLostSaveDrewToANodeTheLaterSaveRemovedIsNotCarried() {
        JsonObject read = canvas("{'nodes':[{'id':'a'},{'id':'b'}],'edges':[]}");
        JsonObject lost = canvas("{'nodes':[{'id':'a'},{'id':'b'},{'id':'c'}],"
                + "'edges':[{'id':'ac','fromNode':'a','toNode':'c'},{'id':'bc','fromNode':'b','toNode':'c'}]}");
        JsonObject written = canvas("{'nodes':[{'id':'a'},{'id':'b'}],'edges':[]}");
        JsonObject now = canvas("{'nodes':[{'id':'b'}],'edges':[]}");

        assertThat(SaveCarryOver.carry(read, lost, written, now))
                .isEqualTo(
                        canvas("{'nodes':[{'id':'b'},{'id':'c'}],'edges':[{'id':'bc','fromNode':'b','toNode':'c'}]}"));
    }

    @Test
    void anEdgeTheLaterSaveLeftJoiningNoNodeIsLeftAsItIs() {
        JsonObject read = canvas("{'nodes':[{'id':'a'}],'edges':[]}");
        JsonObject lost = canvas("{'nodes':[{'id':'a'},{'id':'mine'}],'edges':[]}");
        JsonObject written = canvas("{'nodes':[{'id':'a'}],'edges':[]}");
        JsonObject now = canvas("{'nodes':[{'id':'a'}],'edges':[{'id':'odd','fromNode':'a','toNode':'gone'}]}");

        assertThat(SaveCarryOver.carry(read, lost, written, now))
                .isEqualTo(canvas("{'nodes':[{'id':'a'},{'id':'mine'}],"
                        + "'edges':[{'id':'odd','fromNode':'a','toNode':'gone'}]}"));
    }

    @Test
    void aLaterSaveMadeFromTheLostSaveIsLeftAsItIsEvenWhereItUndidPartOfIt() {
        JsonObject read = canvas("{'nodes':[{'id':'a','text':'1'}],'edges':[]}");
        JsonObject lost = canvas("{'nodes':[{'id':'a','text':'2'},{'id':'x'}],'edges':[]}");
        JsonObject written = canvas("{'nodes':[{'id':'a','text':'1'},{'id':'note'}],'edges':[]}");
        JsonObject now = canvas("{'nodes':[{'id':'a','text':'2'}],'edges':[]}");

        assertThat(SaveCarryOver.carry(read, lost, written, now)).isEqualTo(now);
    }

    @Test
    void aLaterSaveWithoutAnythingTheWriteBackWroteWasNotMadeFromItAndIsLeftAsItIs() {
        JsonObject read = canvas("{'nodes':[{'id':'a'}],'edges':[]}");
        JsonObject lost = canvas("{'nodes':[{'id':'a'},{'id':'x'}],'edges':[]}");
        JsonObject written = canvas("{'nodes':[{'id':'a'},{'id':'note'}],'edges':[{'id':'link'}]}");
        JsonObject now = canvas("{'nodes':[{'id':'a'}],'edges':[]}");

        assertThat(SaveCarryOver.carry(read, lost, written, now)).isEqualTo(now);
    }
}
