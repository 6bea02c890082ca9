package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.domain.session.SessionId;

/**
 * The names in {@code <dataDir>/sessions}: {@code <id>.journal} holds a session's records, {@code <id>.damage} explains
 * damage found on an earlier start, {@code <id>.journal.damaged[.n]} keeps the damaged original for inspection.
 * Session ids never contain a dot, so {@code <id>.} never prefixes another session's files.
 */
final class JournalFiles {

    static final String JOURNAL = ".journal";
    static final String DAMAGE_NOTE = ".damage";
    static final String DAMAGED_COPY = ".journal.damaged";

    final Path directory;

    JournalFiles(Path directory) {
        this.directory = directory;
    }

    Path journal(SessionId id) {
        return directory.resolve(id.value() + JOURNAL);
    }

    Path damageNote(SessionId id) {
        return directory.resolve(id.value() + DAMAGE_NOTE);
    }

    /** A name for a damaged copy that does not overwrite an earlier one. */
    Path freeDamagedCopy(SessionId id) {
        Path candidate = directory.resolve(id.value() + DAMAGED_COPY);
        for (int n = 2; Files.exists(candidate); n++) {
            candidate = directory.resolve(id.value() + DAMAGED_COPY + "." + n);
        }
        return candidate;
    }

    /** Every file that belongs to the session. */
    List<Path> allOf(SessionId id) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, id.value() + ".*")) {
            stream.forEach(files::add);
        }
        return files;
    }

    /** The session a file of the given suffix belongs to, if its name is one this journal writes. */
    static Optional<SessionId> sessionOf(Path file, String suffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(suffix)) {
            return Optional.empty();
        }
        String id = name.substring(0, name.length() - suffix.length());
        return SessionId.isWellFormed(id) ? Optional.of(new SessionId(id)) : Optional.empty();
    }
}
