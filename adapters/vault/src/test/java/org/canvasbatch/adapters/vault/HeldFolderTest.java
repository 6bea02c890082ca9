package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the sweep of temporary files and the adoption of a stopped server's ledger rely on, held by descriptor (Linux)
 * and by path (where the platform has nothing else): a link in the folder is seen as a link, never entered, read or
 * deleted through; deleting it deletes the link alone.
 */
class HeldFolderTest {

    @TempDir
    Path vault;

    @TempDir
    Path outside;

    @Test
    void onLinuxTheFolderIsHeldByItsDescriptor() throws IOException {
        try (HeldFolder folder = HeldFolder.open(vault)) {
            assertThat(folder.heldByDescriptor()).isTrue();
        }
    }

    @ParameterizedTest(name = "by descriptor: {0}")
    @ValueSource(booleans = {true, false})
    void aLinkInTheFolderIsNeitherEnteredNorReadAndDeletingItLeavesWhatItPointsAt(boolean byDescriptor)
            throws IOException {
        Path theirs = Files.writeString(outside.resolve("theirs.txt"), "not the vault's");
        Files.createSymbolicLink(vault.resolve("to-a-folder"), outside);
        Files.createSymbolicLink(vault.resolve("to-a-file"), theirs);
        Files.createDirectories(vault.resolve("notes"));

        try (HeldFolder folder = byDescriptor ? HeldFolder.open(vault) : HeldFolder.openByPath(vault)) {
            assertThat(folder.heldByDescriptor()).isEqualTo(byDescriptor);
            List<String> names = new ArrayList<>();
            folder.forEach(name -> names.add(name.toString()));
            assertThat(names).containsExactlyInAnyOrder("to-a-folder", "to-a-file", "notes");
            assertThat(folder.attributes(Path.of("to-a-folder")).isSymbolicLink())
                    .isTrue();
            assertThat(folder.attributes(Path.of("nothing-here"))).isNull();

            assertThatThrownBy(() -> folder.enter(Path.of("to-a-folder"))).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> {
                        try (InputStream in = folder.read(Path.of("to-a-file"))) {
                            in.readAllBytes();
                        }
                    })
                    .isInstanceOf(IOException.class);
            try (HeldFolder notes = folder.enter(Path.of("notes"))) {
                assertThat(notes.heldByDescriptor()).isEqualTo(byDescriptor);
            }

            folder.delete(Path.of("to-a-file"));
            folder.delete(Path.of("to-a-folder"));
        }

        assertThat(Files.exists(vault.resolve("to-a-file"), LinkOption.NOFOLLOW_LINKS))
                .isFalse();
        assertThat(Files.exists(vault.resolve("to-a-folder"), LinkOption.NOFOLLOW_LINKS))
                .isFalse();
        assertThat(theirs).hasContent("not the vault's");
    }
}
