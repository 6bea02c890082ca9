package org.canvasbatch.benchmarks.load;

import java.util.List;

/** The words of the load: question texts that group into topics, and the note the fake model writes for each. */
final class Notes {

    private static final List<String> TOPICS = List.of(
            "mitosis and meiosis",
            "photosynthesis",
            "eigenvalues of a matrix",
            "the pigeonhole principle",
            "entropy in thermodynamics",
            "supply and demand curves",
            "the French Revolution",
            "recursion in programming");

    private static final List<String> FORMS = List.of(
            "What is %s?",
            "Compare the main ideas of %s",
            "Why does %s matter in practice?",
            "Give a worked example of %s",
            "How can I remember %s?",
            "What is the most common mistake about %s?");

    private Notes() {}

    /** Question {@code i} of a generated canvas: topics cycle slowly, phrasings quickly, and every text is unique. */
    static String question(int i) {
        String topic = TOPICS.get((i / FORMS.size()) % TOPICS.size());
        return FORMS.get(i % FORMS.size()).formatted(topic) + " (" + (i + 1) + ")";
    }

    /**
     * About the length of a real teaching note (a little over 2 000 characters), so that {@code task_completed} carries
     * the full 2 000-character preview it would carry in use.
     */
    static String teachingNote() {
        StringBuilder note = new StringBuilder("# The idea in one sentence\n\n")
                .append("A short, exact statement of the idea, then why it holds, then how to use it.\n\n")
                .append("## Explanation\n\n");
        for (int i = 1; i <= 8; i++) {
            note.append("Step ")
                    .append(i)
                    .append(": the reasoning goes one step further here, with a concrete case")
                    .append(" that a student can check by hand, and a sentence that links it back to the question.\n");
        }
        note.append("\n## Comparison\n\n| aspect | first view | second view |\n| --- | --- | --- |\n");
        for (int i = 1; i <= 6; i++) {
            note.append("| aspect ").append(i).append(" | what the first view says | what the second view says |\n");
        }
        note.append("\n## Check yourself\n\n1. Restate the idea in your own words.\n2. Find a case where it fails.\n");
        return note.toString();
    }
}
