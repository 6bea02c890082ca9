package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in {@code canvas-batch.yaml} and the README's settings table say what {@link SettingsTable} declares. Both
 * are generated: after changing the table, run this test with {@code -Dsettings.update=true} to write them anew.
 */
class SettingsDocumentsTest {

    /** The tests run in the bootstrap module's folder. */
    private static final Path YAML = Path.of("src/main/resources/canvas-batch.yaml");

    private static final Path README = Path.of("../README.md");
    private static final boolean UPDATE = Boolean.getBoolean("settings.update");
    private static final String HOW_TO_UPDATE = "generated from SettingsTable; write it anew with: ./mvnw -q -pl"
            + " bootstrap -am verify -Dtest=SettingsDocumentsTest -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Dsettings.update=true";

    @TempDir
    Path temp;

    @Test
    void theBuiltInYamlIsTheTableWrittenOut() throws IOException {
        String generated = SettingsDocuments.yaml();
        if (UPDATE) {
            Files.writeString(YAML, generated, StandardCharsets.UTF_8);
        }

        assertThat(Files.readString(YAML, StandardCharsets.UTF_8))
                .as(YAML + " is " + HOW_TO_UPDATE)
                .isEqualTo(generated);
    }

    @Test
    void theReadmeSettingsTableIsTheTableWrittenOut() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int begin = readme.indexOf(SettingsDocuments.README_BEGIN);
        int end = readme.indexOf(SettingsDocuments.README_END);
        assertThat(begin).as("the README marks its settings table").isNotNegative();
        assertThat(end).as("the README marks the end of its settings table").isGreaterThan(begin);
        String table = readme.substring(begin, end + SettingsDocuments.README_END.length());
        String generated = SettingsDocuments.readmeTable();
        if (UPDATE) {
            Files.writeString(README, readme.replace(table, generated), StandardCharsets.UTF_8);
            table = generated;
        }

        assertThat(table).as("README.md's settings table is " + HOW_TO_UPDATE).isEqualTo(generated);
    }

    @Test
    void theDocumentedDefaultsFileHasEveryKeyWithItsDeclaredDefaultAndNoOther() {
        assertThat(disagreements(YAML)).isEmpty();
    }

    @Test
    void aDefaultsFileThatDisagreesWithTheTableIsCaught() throws IOException {
        Path doctored = temp.resolve("canvas-batch.yaml");
        Files.writeString(
                doctored,
                Files.readString(YAML, StandardCharsets.UTF_8)
                        .replace("  port: 8000\n", "  port: 8001\n")
                        .replace("  queue-capacity: 1024\n", "")
                        .replace("token: \"\"\n", "token: \"\"\ntokens: \"\"\n"),
                StandardCharsets.UTF_8);

        assertThat(disagreements(doctored))
                .containsExactlyInAnyOrder(
                        "tokens in " + doctored + " is not a setting; top-level settings are data, token, vault",
                        "server.port: the file says 8001, the table 8000",
                        "websocket.queue-capacity: not in the file");
    }

    @Test
    void everyDeclarationIsUsableAndNamesItsSettingAndOptionOnce() {
        Set<String> keys = new HashSet<>();
        for (Setting<?> setting : SettingsTable.all()) {
            assertThat(setting.builtIn()).as("the default of " + setting).isNotNull();
            assertThat(setting.help()).as("the help of " + setting).isNotBlank();
            assertThat(setting.key() != null || setting.option() != null)
                    .as("given somehow: " + setting)
                    .isTrue();
            if (setting.key() != null) {
                assertThat(keys.add(setting.key()))
                        .as("declared once: " + setting.key())
                        .isTrue();
            }
        }
        for (String key : keys) {
            assertThat(keys)
                    .as(key + " is a value, so no setting can live under it")
                    .noneMatch(k -> k.startsWith(key + "."));
        }
        // one option may give two settings (run's --concurrency), but then it is written the same way
        Map<String, List<String>> synopses = new java.util.HashMap<>();
        SettingsTable.all().stream()
                .filter(s -> s.option() != null)
                .forEach(s -> synopses.computeIfAbsent(s.option().name(), n -> new ArrayList<>())
                        .add(s.option().synopsis()));
        synopses.values().forEach(forms -> assertThat(new HashSet<>(forms)).hasSize(1));
    }

    /**
     * Where {@code yaml}, read as a {@code --config} file is, disagrees with the table: a key it lacks, a key the table
     * lacks, a value other than the declared default.
     */
    private static List<String> disagreements(Path yaml) {
        SettingsReader read = new SettingsReader(Map.of(), Optional.of(yaml), Map.of());
        List<String> disagreements = new ArrayList<>();
        for (Setting<?> setting : SettingsTable.keyed()) {
            SettingsReader.Found found = read.find(setting.key());
            if (!found.subject().equals(setting.key() + " in " + yaml)) {
                disagreements.add(setting.key() + ": not in the file");
            } else if (!Objects.equals(read.get(setting), setting.builtIn())) {
                disagreements.add(
                        setting.key() + ": the file says " + found.text() + ", the table " + setting.defaultText());
            }
        }
        disagreements.addAll(read.problems());
        return disagreements;
    }
}
