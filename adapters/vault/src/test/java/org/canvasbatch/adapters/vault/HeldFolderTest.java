package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
                        try (InputStream in =
                                folder.read(Path.of("to-a-file"), folder.attributes(Path.of("to-a-file")))) {
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

    @ParameterizedTest(name = "by descriptor: {0}")
    @ValueSource(booleans = {true, false})
    void aFileIsWrittenAndRenamedInTheFolderNeverThroughALinkAndOnlyAnEmptyRealFolderIsDeleted(boolean byDescriptor)
            throws IOException {
        Path theirs = Files.writeString(outside.resolve("theirs.txt"), "not the vault's");
        Files.createSymbolicLink(vault.resolve("to-a-file"), theirs);
        Files.createSymbolicLink(vault.resolve("to-a-folder"), outside);

        try (HeldFolder folder = byDescriptor ? HeldFolder.open(vault) : HeldFolder.openByPath(vault)) {
            assertThatThrownBy(() -> folder.open(Path.of("to-a-file"), Set.of(StandardOpenOption.WRITE)))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> folder.open(
                            Path.of("to-a-file"), Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)))
                    .isInstanceOf(IOException.class);
            try (SeekableByteChannel channel =
                    folder.open(Path.of("new.tmp"), Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                channel.write(ByteBuffer.wrap("the vault's".getBytes(StandardCharsets.UTF_8)));
            }
            folder.rename(Path.of("new.tmp"), Path.of("to-a-file"));

            folder.createFolder(Path.of("ledger"));
            assertThatThrownBy(() -> folder.deleteFolder(Path.of("to-a-folder")))
                    .isInstanceOf(IOException.class);
            folder.deleteFolder(Path.of("ledger"));
        }

        assertThat(vault.resolve("to-a-file")).isRegularFile().hasContent("the vault's");
        assertThat(vault.resolve("new.tmp")).doesNotExist();
        assertThat(vault.resolve("ledger")).doesNotExist();
        assertThat(vault.resolve("to-a-folder")).isSymbolicLink();
        assertThat(theirs).hasContent("not the vault's");
    }
}
