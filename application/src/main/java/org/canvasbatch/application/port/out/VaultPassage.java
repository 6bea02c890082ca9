package org.canvasbatch.application.port.out;

import java.util.Objects;

/**
 * A short passage of the learner's own vault, quoted where it helps with a question.
 *
 * @param path    the vault-relative file it is in: a Markdown note ({@code Biology/Organelles.md}) or a canvas
 * @param heading        the heading it sits under in a Markdown note, as words to show (link syntax and emphasis
 *                       removed); empty when there is none and for canvases
 * @param headingInNote  that heading's text as the note writes it, which is what an Obsidian link to the heading
 *                       must name; when another heading of the note has the same words, the headings it is under and
 *                       it, the outermost first, one per line (a link names them all, {@code [[note#Stack#Example]]})
 * @param excerpt the passage as plain text on one line, at most about 200 characters, with "…" where it was cut
 * @param origin  what kind of writing of the learner's it is
 */
public record VaultPassage(String path, String heading, String headingInNote, String excerpt, Origin origin) {

    /** What the learner wrote the passage as. */
    public enum Origin {
        /** A paragraph or list item of a Markdown note. */
        NOTE,
        /** The text of a note node on a canvas. */
        CANVAS_NOTE,
        /** The text of a yellow node on a canvas: the learner's own understanding of something. */
        UNDERSTANDING
    }

    public VaultPassage {
        Objects.requireNonNull(path, "path");
        heading = heading == null ? "" : heading;
        headingInNote = headingInNote == null ? heading : headingInNote;
        excerpt = excerpt == null ? "" : excerpt;
        Objects.requireNonNull(origin, "origin");
    }

    /** A passage under a heading written as plain words. */
    public VaultPassage(String path, String heading, String excerpt, Origin origin) {
        this(path, heading, heading, excerpt, origin);
    }
}
