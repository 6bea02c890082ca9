package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canvas a {@code run} names, as the journal knows it: one canvas is one path, however it was typed, or the same
 * command run again after Ctrl-C would not find the batch it stopped (and its notes folder would be another).
 */
class CanvasLocationTest {

    @TempDir
    Path vault;

    @Test
    void aPathInTheVaultTypedWithDotSegmentsIsTheSameCanvas() throws Exception {
        Files.createDirectories(vault.resolve("数学"));
        Files.writeString(vault.resolve("数学/线性代数.canvas"), "{\"nodes\":[],\"edges\":[]}");

        var typed = RunCommand.CanvasLocation.resolve("./数学/线性代数.canvas", Optional.of(vault.toString()));
        var twice = RunCommand.CanvasLocation.resolve("数学/./线性代数.canvas", Optional.of(vault.toString()));
        var plain = RunCommand.CanvasLocation.resolve("数学/线性代数.canvas", Optional.of(vault.toString()));

        assertThat(typed.canvasPath()).isEqualTo("数学/线性代数.canvas");
        assertThat(twice.canvasPath()).isEqualTo("数学/线性代数.canvas");
        assertThat(plain.canvasPath()).isEqualTo("数学/线性代数.canvas");
    }
}
