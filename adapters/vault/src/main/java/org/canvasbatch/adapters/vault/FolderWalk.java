package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A folder of the vault held open ({@link HeldFolder}), reached from the vault's root by entering each folder on the way
 * relative to the one before, never through a symbolic link ({@link HeldFolder#enter}): whatever is then done in it
 * acts in that folder, even if its name, or a name above it, is swapped for a link meanwhile. Where the platform has no
 * {@link java.nio.file.SecureDirectoryStream} each step goes by path, as {@link HeldFolder} says.
 */
final class FolderWalk {

    /** What the walk does where a folder on the way is missing, or something else than a folder is at its name. */
    enum Missing {
        /**
         * Makes the missing folder (by path, which never follows a link at that name; the JDK has no {@code mkdirat}),
         * then enters it as any other; something else at the name is a {@link FileAlreadyExistsException}.
         */
        CREATE,
        /** Gives null instead of a folder. */
        NULL,
        /**
         * Throws {@link NoSuchFileException} for a missing folder; something else at the name is refused when entered
         * ({@link HeldFolder.NotAFolder}).
         */
        THROW
    }

    /** How a symbolic link on the way is refused: each caller says it in its own words. */
    @FunctionalInterface
    interface LinkRefusal {
        /**
         * @param shown the names from the vault's root to the link, joined by {@code /}
         * @param last  whether the link is at the last name, the folder walked to
         */
        RuntimeException refuse(String shown, boolean last);
    }

    private FolderWalk() {}

    /**
     * The folder {@code way} leads to from {@code root}, held open; {@code root} itself when {@code way} is empty.
     *
     * @param root           the vault's root, held as given, a link there followed ({@link HeldFolder#open})
     * @param way            the names of the folders to enter, one name each
     * @param missing        what a folder on the way that is missing, or is not a folder, comes to
     * @param beforeEntering told each folder on the way right before it is entered (tests swap it there)
     * @param linked         the refusal of a link at a name on the way, there at the look or swapped in before the enter
     * @return null only where {@code missing} is {@link Missing#NULL} and a folder on the way is missing or not one
     * @throws IOException when a folder on the way cannot be made or entered
     */
    static HeldFolder hold(
            Path root, List<Path> way, Missing missing, Consumer<Path> beforeEntering, LinkRefusal linked)
            throws IOException {
        HeldFolder at = HeldFolder.open(root);
        try {
            String shown = "";
            for (int step = 0; step < way.size(); step++) {
                Path name = way.get(step);
                boolean last = step == way.size() - 1;
                shown = shown.isEmpty() ? name.toString() : shown + "/" + name;
                BasicFileAttributes there = at.attributes(name);
                if (there != null && there.isSymbolicLink()) {
                    throw linked.refuse(shown, last);
                }
                if (there == null || !there.isDirectory()) {
                    switch (missing) {
                        case NULL -> {
                            at.close();
                            return null;
                        }
                        case THROW -> {
                            if (there == null) {
                                throw new NoSuchFileException(at.resolve(name).toString());
                            }
                            // anything else is refused by entering it, in words that say what it is
                        }
                        case CREATE -> {
                            if (there != null) {
                                throw new FileAlreadyExistsException(
                                        at.resolve(name).toString());
                            }
                            try {
                                at.createFolder(name);
                            } catch (FileAlreadyExistsException e) {
                                // made meanwhile: entered below only if it is a folder
                            }
                        }
                    }
                }
                beforeEntering.accept(at.resolve(name));
                HeldFolder inside;
                try {
                    inside = at.enter(name);
                } catch (IOException e) {
                    // swapped since the look: a link there now is refused as one there before
                    BasicFileAttributes now = at.attributes(name);
                    if (now != null && now.isSymbolicLink()) {
                        throw linked.refuse(shown, last);
                    }
                    throw e;
                }
                HeldFolder outer = at;
                at = inside;
                outer.close();
            }
            return at;
        } catch (IOException | RuntimeException e) {
            try {
                at.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The names of the folders from {@code realRoot} down to {@code folder}, a real path inside it; none for itself. */
    static List<Path> namesBelow(Path realRoot, Path folder) {
        List<Path> names = new ArrayList<>();
        for (Path name : realRoot.relativize(folder)) {
            if (!name.toString().isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
