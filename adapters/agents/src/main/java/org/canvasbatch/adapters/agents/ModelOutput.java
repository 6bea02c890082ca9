package org.canvasbatch.adapters.agents;

import java.util.regex.Pattern;

/** Tidies a model's answer into the body of a note. */
final class ModelOutput {

    // Reasoning models served by Ollama (deepseek-r1, qwq …) put their chain of thought first, in <think> tags.
    private static final Pattern THINKING = Pattern.compile("\\A\\s*<think>.*?</think>", Pattern.DOTALL);
    private static final String THINKING_ENDS = "</think>";
    // Some models wrap the whole note in one ```markdown fence, which would show it as code in Obsidian.
    // Only when the code blocks inside pair up: a note that opens with a ```markdown example and ends with another
    // code block is two blocks and prose, not one fenced note.
    private static final Pattern WHOLE_NOTE_FENCE = Pattern.compile(
            "\\A\\s*(`{3,})(?:markdown|md)[ \\t]*\\r?\\n(.*)\\r?\\n\\1\\s*\\z",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    /**
     * A line of a front matter block: a key, a list item, an indented or blank line. Not a {@code #} line: a YAML
     * comment reads as a Markdown heading, and a note's own title between two rules is no front matter.
     */
    private static final Pattern FRONT_MATTER_LINE =
            Pattern.compile("[A-Za-z_][\\w.-]*:(?:[ \\t].*)?|-[ \\t].*|[ \\t]+.*|", Pattern.DOTALL);
    /** A key of a front matter block: one at least, since properties are keys; list items alone are a note's list. */
    private static final Pattern FRONT_MATTER_KEY = Pattern.compile("[A-Za-z_][\\w.-]*:(?:[ \\t].*)?", Pattern.DOTALL);
    /** Models write a few properties; a longer block is not front matter. */
    private static final int FRONT_MATTER_LINES = 50;
    // control characters but tab and line breaks (a terminal's escapes, NUL, BEL from a broken server): no part of a
    // note
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]");

    private ModelOutput() {}

    static String noteBody(String answer) {
        var thinking = THINKING.matcher(answer);
        String note = answer;
        if (thinking.find()) {
            note = answer.substring(thinking.end());
        } else {
            // some (DeepSeek-R1 on Ollama or vLLM) open the tag in their chat template: the answer starts inside it
            int end = thinkingEnd(answer);
            if (end >= 0 && !answer.substring(0, end).contains("<think>")) {
                note = answer.substring(end + THINKING_ENDS.length());
            }
        }
        var fence = WHOLE_NOTE_FENCE.matcher(note);
        if (fence.matches() && !leavesABlockOpen(fence.group(2), fence.group(1))) {
            note = fence.group(2);
        }
        return CONTROLS.matcher(withoutFrontMatter(note.strip())).replaceAll("").strip();
    }

    /**
     * Whether the code blocks {@code text} opens with fences of {@code fence}'s length or more leave one open at its
     * end: then the fence taken for the note's closing one closes that block, and the note was never in one fence (a
     * ```markdown example at its start, a ```python block at its end). A bare fence opens a block or closes the open
     * one; a fence with a language only opens one. A whole note with bare blocks inside and a note that starts with a
     * ```markdown example and ends with bare blocks have the same fence lines: the first, a model's habit, is unwrapped.
     */
    private static boolean leavesABlockOpen(String text, String fence) {
        boolean inBlock = false;
        for (String line : text.lines().toList()) {
            String trimmed = line.strip();
            int backticks = 0;
            while (backticks < trimmed.length() && trimmed.charAt(backticks) == '`') {
                backticks++;
            }
            String info = trimmed.substring(backticks);
            if (backticks < fence.length() || info.indexOf('`') >= 0) {
                // shorter than the fence, or a code span at the line's start ("```js``` marks …"): no fence
                continue;
            }
            boolean bare = info.isBlank();
            if (!inBlock) {
                inBlock = true;
            } else if (bare) {
                inBlock = false;
            }
        }
        return inBlock;
    }

    /**
     * Where a closing tag with no opening one ends the model's thinking: the first not quoted as code (a note about
     * reasoning models may show the tag in a code span or block); -1 if there is none.
     */
    private static int thinkingEnd(String answer) {
        boolean inFence = false;
        boolean inCodeSpan = false;
        for (int i = 0; i < answer.length(); i++) {
            char c = answer.charAt(i);
            if (answer.startsWith("```", i)) {
                inFence = !inFence;
                inCodeSpan = false;
                i += 2;
            } else if (c == '`' && !inFence) {
                inCodeSpan = !inCodeSpan;
            } else if (c == '\n') {
                inCodeSpan = false;
            } else if (c == '<' && !inFence && !inCodeSpan && answer.startsWith(THINKING_ENDS, i)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The note without a YAML front matter block of its own, which the prompt asks against: the vault writes the
     * note's front matter, and a second block below it shows in Obsidian as a rule and a heading. Only a block of lines
     * YAML gives a meaning to is taken for one, so a note that opens with a rule and prose keeps it.
     */
    private static String withoutFrontMatter(String note) {
        String[] lines = note.split("\n", FRONT_MATTER_LINES + 2);
        if (!lines[0].strip().equals("---")) {
            return note;
        }
        int end = lines[0].length() + 1;
        boolean keyed = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            end = Math.min(note.length(), end + lines[i].length() + 1);
            if (line.strip().equals("---")) {
                return keyed ? note.substring(end) : note;
            }
            keyed |= FRONT_MATTER_KEY.matcher(line).matches();
            if (i > FRONT_MATTER_LINES || !FRONT_MATTER_LINE.matcher(line).matches()) {
                return note;
            }
        }
        return note;
    }
}
