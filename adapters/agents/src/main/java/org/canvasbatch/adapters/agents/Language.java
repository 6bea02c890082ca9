package org.canvasbatch.adapters.agents;

import org.canvasbatch.application.port.out.AgentRequest;

/** The language a note is written in: the language of the learner's question. */
enum Language {
    ZH("zh", "简体中文"),
    EN("en", "English");

    private final String code;
    private final String displayName;

    Language(String code, String displayName) {
        this.code = code;
        this.displayName = displayName;
    }

    String code() {
        return code;
    }

    /** How the prompt names the output language, in that language. */
    String displayName() {
        return displayName;
    }

    /** The first text wins; a file or link node with no CJK in its name falls back to its content. */
    static Language of(AgentRequest request) {
        if (!request.nodeText().isBlank()) {
            return detect(request.nodeText()) == ZH ? ZH : detect(request.content());
        }
        return detect(request.content());
    }

    /** A question with any CJK ideograph is a Chinese question: mixed text such as "Kruskal算法和Prim算法的比较" is Chinese. */
    static Language detect(String text) {
        if (text == null) {
            return EN;
        }
        return text.codePoints().anyMatch(Language::isIdeograph) ? ZH : EN;
    }

    private static boolean isIdeograph(int codePoint) {
        return Character.isIdeographic(codePoint)
                && Character.UnicodeScript.of(codePoint) == Character.UnicodeScript.HAN;
    }

    /** Picks the wording for this language. */
    String pick(String zh, String en) {
        return this == ZH ? zh : en;
    }
}
