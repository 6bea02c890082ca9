package org.canvasbatch.domain.routing;

import java.util.regex.Pattern;

/**
 * One phrasing that points at a category, with how much it can be trusted. A cue applies only to texts no
 * longer than {@code maxTextLength}: some words ("vs") are a clear signal in a short question and an aside in
 * a paragraph.
 */
record Cue(Pattern pattern, double confidence, int maxTextLength) {

    static Cue of(String regex, double confidence) {
        return new Cue(Pattern.compile(regex), confidence, Integer.MAX_VALUE);
    }

    static Cue ofShort(String regex, double confidence, int maxTextLength) {
        return new Cue(Pattern.compile(regex), confidence, maxTextLength);
    }

    boolean matches(String normalisedText) {
        return normalisedText.length() <= maxTextLength
                && pattern.matcher(normalisedText).find();
    }
}
