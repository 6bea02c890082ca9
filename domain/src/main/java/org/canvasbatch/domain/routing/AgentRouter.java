package org.canvasbatch.domain.routing;

import java.text.Normalizer;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.canvasbatch.domain.agent.AgentId;

/**
 * Sends each question to the teaching agent its phrasing asks for (CONTRACT §5).
 *
 * <p>Scoring. Each category has cues, ordered from the most specific phrasing to the most generic; the first
 * cue that matches gives the category its confidence. The levels follow how often a phrasing means what it
 * seems to on real study canvases:
 * <ul>
 *   <li>0.95: a comparison with both sides named (A和B的区别, "difference between"); nothing else reads that way.</li>
 *   <li>0.9: a fixed phrase that only asks for that kind of answer (深度剖析, 怎么记住, 举例, 如何理解, "compare X and Y").</li>
 *   <li>0.8–0.85: a clear but more general word (什么是, 为什么, 区别 without its two sides, 记忆, "remember").</li>
 *   <li>0.75: a word that usually, not always, signals the category (实例, "for example", 对比 alone,
 *       "differences").</li>
 *   <li>0.6–0.65: a cue seen in a context that weakens it: "vs" in a long text is more likely an aside than the
 *       question; 比较 with no two things to compare is as often part of a term (比较排序) as a request;
 *       a bare "why" or "example" without the verb that makes it a request.</li>
 *   <li>0.4: the word is there in a sense known to be different: 比较难 ("rather hard"), 无记忆性 (the memoryless
 *       property, a topic, not a request to memorise), 实例化 (instantiation), 定义域 (a function's domain).</li>
 * </ul>
 * Categories are then tried in precedence order and the first whose confidence reaches
 * {@link #CONFIDENCE_THRESHOLD} wins, so that "什么是A和B的区别" is a comparison although it also asks "什么是".
 * A weak cue does not block a later, sure one: 比较难理解的为什么 is an understanding question. When no category
 * reaches the threshold the question gets the plain explanation, and the routing keeps the measured confidence so
 * that a caller can tell "weak cue" from "no cue" ({@link #NO_CUE_CONFIDENCE}).
 */
public final class AgentRouter {

    public static final double CONFIDENCE_THRESHOLD = 0.7;

    /** Confidence reported when nothing in the text points anywhere: the default is a guess, an even one. */
    static final double NO_CUE_CONFIDENCE = 0.5;

    /** A "vs" in a text longer than this is more likely an aside than the question itself. */
    private static final int SHORT_QUESTION = 60;

    private static final String TWO_SIDES = ".[和与跟及、].";
    /** 相比, 比起来, or a bare 比 that ends the phrase (not 比例, 比如, 比值 …). */
    private static final String SET_AGAINST = "(?:相比|比起来|比(?=[，,。？?、\\s]|$|有|哪|谁|更|怎|如何))";

    private static final String BIJIAO_AS_RATHER =
            "比较(?:[难易好坏多少大小快慢高低长短强弱深浅稳偏]|重要|常见|常用|简单|复杂|容易|困难" + "|抽象|有用|合适|适合|明显|熟悉|基础|特殊|麻烦|模糊|清楚|直观|接近|少见)";

    private static final Map<Category, List<Cue>> CUES = new EnumMap<>(Map.of(
            Category.COMPARISON,
                    List.of(
                            Cue.of(TWO_SIDES + ".*(?:区别|差别|差异|异同)", 0.95),
                            Cue.of("\\bdifferences? between\\b", 0.95),
                            Cue.of("\\bwhat(?:'s| is| are) the differences?\\b", 0.9),
                            Cue.of("\\bcompar(?:e|ing)\\b.+\\b(?:and|with|to|against)\\b", 0.9),
                            Cue.of("\\bcomparison (?:of|between)\\b", 0.9),
                            Cue.of("异同", 0.9),
                            Cue.of(TWO_SIDES + ".*(?:对比|比较|区分)|(?:对比|比较|区分).*" + TWO_SIDES, 0.9),
                            Cue.ofShort("\\b(?:vs|versus)\\b", 0.85, SHORT_QUESTION),
                            Cue.of(TWO_SIDES + ".*(?:有什么|有何|有哪些)不同", 0.85),
                            // 栈跟队列比有什么优势, 链表和数组比，哪个…, 与数组相比，链表…: one set against the other
                            Cue.of(TWO_SIDES + "[^，,。？?]{0,20}?" + SET_AGAINST, 0.85),
                            Cue.of("^(?:与|和|跟|同)[^，,。？?]{1,20}?(?:相比|比起来)", 0.85),
                            Cue.of("\\bdistinguish(?:es|ing)?\\b.+\\b(?:from|between)\\b", 0.9),
                            Cue.of("对比", 0.85),
                            Cue.of("区别|差别|差异", 0.8),
                            // "different" that ends the question, or "different from": not "in different cell types"
                            Cue.of(
                                    "\\bhow (?:are|is)\\b[^.?!\\n]{0,80}\\bdifferent\\b(?=\\s*(?:[.?!,;:]|$|from\\b))",
                                    0.85),
                            // plural "differences" only, and not a numerical method's name (finite differences)
                            Cue.of(
                                    "\\bcompar(?:e|ing|ison)\\b|\\bcontrast\\b|\\bdiffer(?:s|ent from)?\\b"
                                            + "|(?<!finite |divided |forward |backward |central )\\bdifferences\\b",
                                    0.75),
                            Cue.of(BIJIAO_AS_RATHER, 0.4),
                            Cue.of("\\b(?:vs|versus)\\b", 0.6),
                            Cue.of("比较", 0.65)),
            Category.DEEP_ANALYSIS,
                    List.of(
                            Cue.of("深度剖析|深入分析|详细分析|深度分析|深入剖析|深入探讨|深度解析|深入解析|详细解析", 0.9),
                            Cue.of("\\bin[- ]depth\\b|\\bdeep(?:er)?[- ](?:analysis|dive)\\b", 0.9)),
            Category.MEMORY,
                    List.of(
                            Cue.of("怎么记|如何记|怎样记|记住|背诵|背下来|口诀|速记", 0.9),
                            Cue.of("\\bmemori[sz](?:e|ed|ing)\\b|\\bmnemonics?\\b", 0.9),
                            Cue.of("\\bhow (?:to|do i|can i|should i) remember\\b", 0.9),
                            Cue.of("无记忆|记忆性|记忆体", 0.4),
                            Cue.of("记忆", 0.8),
                            Cue.of("\\bremember\\b", 0.8)),
            Category.EXAMPLE,
                    List.of(
                            Cue.of("举例|举个例子|举一个例子|举些例子", 0.9),
                            Cue.of("\\b(?:give|show)(?: me)?(?: an?| some)? examples?\\b|\\bworked examples?\\b", 0.9),
                            Cue.of("例子", 0.85),
                            Cue.of("\\bexamples? of\\b", 0.85),
                            Cue.of("例题", 0.8),
                            Cue.of("实例化|实例变量|实例方法|实例对象", 0.4),
                            Cue.of("实例", 0.75),
                            Cue.of("\\bfor example\\b", 0.75),
                            Cue.of("\\bexamples?\\b", 0.6)),
            Category.UNDERSTANDING,
                    List.of(
                            Cue.of("如何理解|怎么理解|怎样理解|如何去理解|怎么去理解|咋理解", 0.9),
                            Cue.of("\\bhow (?:to|do i|do you|should i|can i) understand\\b", 0.9),
                            Cue.of("为什么|为何|为啥", 0.85),
                            Cue.of(
                                    "\\bwhy (?:does|do|is|are|did|can|can't|cannot|must|should|would)\\b"
                                            + "|\\bwhy (?:doesn't|don't|isn't|aren't)\\b",
                                    0.85),
                            Cue.of("\\bwhy\\b", 0.65)),
            Category.DEFINITION,
                    List.of(
                            Cue.of("什么是|是什么|什么叫|何为|何谓|啥是|是啥|啥叫", 0.85),
                            Cue.of("\\bwhat(?:'s| is| are)\\b|\\bdefine\\b|\\bdefinition of\\b", 0.85),
                            Cue.of("\\bwhat (?:does|do)\\b.+\\bmean\\b", 0.85),
                            Cue.of("定义域", 0.4),
                            Cue.of("定义", 0.8),
                            Cue.of("的含义|的意思|是指|\\bmeaning of\\b", 0.75))));

    /** Tie-break order for {@link #recommendFor}: routing precedence, then any other agent in declaration order. */
    private static final Comparator<AgentId> PRECEDENCE = Comparator.comparingInt(AgentRouter::precedence);

    public Routing route(String text) {
        if (text == null || text.isBlank()) {
            return fallback(NO_CUE_CONFIDENCE);
        }
        // typographic apostrophes (what macOS and iOS type by default) read as the ASCII one the cues are written with
        String normalised = Normalizer.normalize(text, Normalizer.Form.NFKC)
                .toLowerCase(Locale.ROOT)
                .replace('\u2019', '\'')
                .replace('\u2018', '\'')
                .replace('\u02BC', '\'');
        double strongestWeak = 0.0;
        for (Category category : Category.values()) {
            double confidence = confidence(category, normalised);
            if (confidence >= CONFIDENCE_THRESHOLD) {
                return new Routing(category.agent(), confidence, category);
            }
            strongestWeak = Math.max(strongestWeak, confidence);
        }
        return fallback(strongestWeak > 0 ? strongestWeak : NO_CUE_CONFIDENCE);
    }

    /** The most common routed agent; ties go to the earliest in precedence order; nothing routed → explanation. */
    public AgentId recommendFor(List<Routing> routings) {
        Map<AgentId, Integer> counts = new EnumMap<>(AgentId.class);
        for (Routing routing : routings) {
            if (routing != null) {
                counts.merge(routing.agent(), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .max(Comparator.<Map.Entry<AgentId, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey, PRECEDENCE.reversed()))
                .map(Map.Entry::getKey)
                .orElse(AgentId.ORAL_EXPLANATION);
    }

    /** The most common kind of question; ties go to the earliest in precedence order; nothing routed → general. */
    public Category dominantCategory(List<Routing> routings) {
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        for (Routing routing : routings) {
            if (routing != null) {
                counts.merge(routing.category(), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .max(Comparator.<Map.Entry<Category, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(e -> -e.getKey().ordinal()))
                .map(Map.Entry::getKey)
                .orElse(Category.GENERAL);
    }

    private static double confidence(Category category, String normalisedText) {
        for (Cue cue : CUES.getOrDefault(category, List.of())) {
            if (cue.matches(normalisedText)) {
                return cue.confidence();
            }
        }
        return 0.0;
    }

    private static Routing fallback(double confidence) {
        return new Routing(Category.GENERAL.agent(), confidence, Category.GENERAL);
    }

    private static int precedence(AgentId agent) {
        for (Category category : Category.values()) {
            if (category != Category.GENERAL && category.agent() == agent) {
                return category.ordinal();
            }
        }
        return Category.values().length + agent.ordinal();
    }
}
