package org.canvasbatch.domain.note;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * What a note records of the question it answers: a SHA-256 of the question's words, so that a later run tells a
 * question the learner reworded since its note from one left as it was. Spacing, invisible format characters and the
 * Unicode spelling of the same characters (composed or not) are no rewording: an editor that re-wraps a card or a paste from another program does
 * not cost the learner a call to the model.
 */
public final class QuestionDigest {

    /**
     * Every Unicode white space (the {@code White_Space} property): a full-width space of a Chinese card, a no-break
     * space pasted from a web page and a line separator are spacing too, not only ASCII's ({@code \\s} alone), which
     * left them inside the words while {@link String#strip} took them off the ends.
     */
    private static final Pattern SPACING = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    /**
     * Invisible format characters (a zero-width space, a byte-order mark, a bidi mark, a soft hyphen) that a paste
     * leaves in a card: no word changes with them, as none of them shows (note names drop them too).
     */
    private static final Pattern INVISIBLE = Pattern.compile("\\p{Cf}");

    private QuestionDigest() {}

    /** The digest of {@code question}, in lower-case hex. */
    public static String of(String question) {
        String visible = INVISIBLE.matcher(question).replaceAll("");
        String words = SPACING.matcher(Normalizer.normalize(visible, Normalizer.Form.NFC))
                .replaceAll(" ")
                .strip();
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(words.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256
            throw new IllegalStateException(e);
        }
    }
}
