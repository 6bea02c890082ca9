package org.canvasbatch.domain.grouping;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Words that say how a question is asked rather than what it is about. Canvas questions are short and share
 * their phrasing ("什么是…", "What is the difference between…"), so without these lists groups would form
 * around question shapes and be named after them. Routing reads the raw text, so removing the routing cues
 * here loses nothing there.
 */
final class StopWords {

    private StopWords() {
    }

    static final Set<String> LATIN = Set.of(
            "a", "an", "the", "this", "that", "these", "those", "it", "its", "there", "their", "them", "they",
            "i", "me", "my", "we", "our", "you", "your", "he", "she", "his", "her", "one", "ones",
            "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "doing", "done",
            "have", "has", "had", "having", "can", "could", "should", "would", "will", "shall", "may", "might", "must",
            "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "whether",
            "of", "in", "on", "at", "to", "for", "from", "by", "with", "without", "about", "into", "onto", "over",
            "under", "between", "among", "through", "during", "before", "after", "above", "below", "up", "down",
            "and", "or", "not", "no", "nor", "but", "if", "then", "than", "so", "as", "also", "too", "very",
            "just", "only", "same", "such", "some", "any", "all", "each", "every", "other", "another", "more",
            "most", "much", "many", "few", "still", "yet", "while", "because", "since", "though", "although",
            "vs", "versus", "difference", "different", "differ", "compare", "compared", "comparison", "contrast",
            "explain", "explained", "explanation", "define", "defined", "definition", "mean", "meaning", "means",
            "example", "examples", "give", "show", "understand", "understanding", "remember", "memorize",
            "memorise", "mnemonic", "think", "know", "matter", "matters", "important", "importance", "why's",
            "what's", "depth", "deep", "analyse", "analyze",
            "use", "using", "used", "get", "make", "work", "works", "way", "ways", "thing", "things", "really",
            "review", "question", "questions", "please", "e", "g", "eg", "ie", "etc");

    /**
     * Multi-character phrases and single function characters; matched longest first inside a CJK run.
     * Characters that also start or end common terms (中 in 中心, 时 in 时间, 有 in 有向图, 不 in 不等式) are left out on
     * purpose: cutting them would mangle the topic words, which matter more than a stray function character.
     */
    static final Set<String> CJK = Set.of(
            // question words
            "什么", "什么是", "是什么", "为什么", "为何", "如何", "怎么", "怎样", "怎么样", "哪些", "哪个", "哪里", "有什么",
            "什么样", "多少", "是否", "能否", "可否",
            // routing cues: how to answer, not what about
            "区别", "差别", "差异", "不同", "异同", "对比", "比较", "理解", "如何理解", "怎么理解", "说明", "举例", "举个例子",
            "例子", "实例", "记忆", "记住", "背诵", "怎么记", "怎么记住", "深度剖析", "深入分析", "详细分析", "剖析", "定义", "解释",
            "含义", "意义", "概念", "问题", "步骤", "方法", "应用", "场景", "作用", "介绍", "总结", "复习", "重要", "很重要",
            // pronouns, particles, connectives
            "我们", "你们", "他们", "我", "你", "他", "她", "它", "这", "那", "这个", "那个", "这些", "那些", "一个", "一些",
            "的", "了", "吗", "呢", "吧", "啊", "么", "是", "和", "与", "及", "或", "或者", "以及", "之", "其", "把", "被",
            "还是", "就是", "但是", "可是", "而且", "并且", "因为", "所以", "如果", "那么", "虽然", "然后", "还", "都", "也",
            "就", "很", "可以", "应该", "需要", "觉得", "认为", "好像", "总是", "一定", "时候", "请", "给", "对于", "关于",
            "没有", "不清楚", "清楚", "搞混");

    /**
     * Characters that are function words when they stand alone (为 in 我理解为, 在 in 在…中) but start or end too many
     * content words (存在, 对称, 应用, 所以) to be cut out of a run; they are dropped only when nothing else is left
     * of a piece.
     */
    static final Set<String> CJK_LONE = Set.of(
            "为", "在", "对", "从", "向", "到", "让", "用", "以", "再", "更", "最", "已", "将", "并", "等", "则", "即", "而", "且",
            "又", "才", "去", "来", "上", "下", "中", "里", "时", "个", "有", "不", "能", "会", "要", "说", "做", "看", "得", "地",
            "着", "过", "吗", "呀", "嘛", "哦");

    /** Topic words that contain a stop phrase (记忆 in 记忆化搜索, 定义 in 定义域) and must not be cut by it. */
    static final List<String> CJK_KEEP = List.of("记忆化", "无记忆", "定义域", "实例化", "问题域", "区别于");

    /** CJK stop phrases by first character, longest first: the scan tries them at every character of a run. */
    private static final Map<Character, List<String>> CJK_BY_FIRST = CJK.stream()
            .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
            .collect(Collectors.groupingBy(phrase -> phrase.charAt(0), Collectors.toUnmodifiableList()));

    static List<String> cjkStartingWith(char first) {
        return CJK_BY_FIRST.getOrDefault(first, List.of());
    }

    static boolean isLatin(String word) {
        return LATIN.contains(word);
    }
}
