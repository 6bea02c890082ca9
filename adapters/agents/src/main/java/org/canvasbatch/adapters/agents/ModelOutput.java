package org.canvasbatch.adapters.agents;

import java.util.regex.Pattern;

/** Tidies a model's answer into the body of a note. */
final class ModelOutput {

    // Reasoning models served by Ollama (deepseek-r1, qwq …) put their chain of thought first, in <think> tags.
    private static final Pattern THINKING = Pattern.compile("\\A\\s*<think>.*?</think>", Pattern.DOTALL);
    private static final String THINKING_ENDS = "</think>";
    // Some models wrap the whole note in one ```markdown fence, which would show it as code in Obsidian.
    private static final Pattern WHOLE_NOTE_FENCE = Pattern.compile(
            "\\A\\s*```(?:markdown|md)[ \\t]*\\r?\\n(.*)\\r?\\n```\\s*\\z", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
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
            int end = answer.indexOf(THINKING_ENDS);
            if (end >= 0 && !answer.substring(0, end).contains("<think>")) {
                note = answer.substring(end + THINKING_ENDS.length());
            }
        }
        var fence = WHOLE_NOTE_FENCE.matcher(note);
        if (fence.matches()) {
            note = fence.group(1);
        }
        return CONTROLS.matcher(note).replaceAll("").strip();
    }
}
