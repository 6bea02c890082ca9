package org.canvasbatch.adapters.agents;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the offline agent can read out of a question without a model: its subject ("什么是逆否命题" → "逆否命题"),
 * the concepts it compares and its key terms. What kind of question it is, is the domain's routing's to say.
 */
final class QuestionText {

    private static final List<String> ZH_PREFIXES = List.of(
            "请问", "请", "什么是", "如何理解", "怎么理解", "怎样理解", "为什么", "举个例子说明", "举例说明", "举个例子", "举例", "怎么记住", "如何记住", "怎么记",
            "记住", "记忆", "背诵", "深度剖析", "深入分析", "详细分析", "解释一下", "解释", "说明", "对比", "比较", "理解");
    private static final List<String> ZH_SUFFIXES =
            List.of("的区别是什么", "有什么区别", "有什么不同", "的区别", "的异同", "的比较", "的应用", "是什么意思", "是什么", "的含义", "的定义", "吗", "呢");
    private static final List<String> EN_PREFIXES = List.of(
            "what is the difference between",
            "difference between",
            "what is",
            "what are",
            "what's",
            // what a history or science question asks about follows these: "What caused World War I?"
            "what caused",
            "what causes",
            "what led to",
            "what leads to",
            "what triggered",
            "what happened to",
            "what happens to",
            "how to understand",
            "how do i understand",
            "how to remember",
            "how do i remember",
            "how can i remember",
            "how can i memorize",
            "how do i memorize",
            "how can i understand",
            "how should i understand",
            "how can i learn",
            "why does",
            "why do",
            "why is",
            "why are",
            "define",
            "give an example of",
            "give an example where",
            "give examples of",
            "examples of",
            "example of",
            "explain how",
            "explain",
            "in-depth analysis of",
            "deep analysis of",
            "compare",
            "memorize",
            "remember",
            "describe",
            "how does",
            "how do",
            "how is",
            "how are");
    private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[\\s?？。.!！:：;；,，]+$");
    // "What is a trie and when to use it?" asks about a trie.
    private static final Pattern EN_TRAILING_CLAUSE =
            Pattern.compile("\\s*(?:,|\\band\\b)\\s*(?:when|why|how|where|what|which)\\b.*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern ARTICLE = Pattern.compile("^(?:a|an|the)\\s+", Pattern.CASE_INSENSITIVE);

    // 栈跟队列比有什么优势, 链表和数组比，哪个插入更快: a bare 比 that ends the phrase, not 比例 or 比如
    private static final String ZH_SET_AGAINST = "(?:相比|比起来|比)(?:的话|而言|来说)?(?=[，,。？?、\\s]|$|有|哪|谁|更|怎|如何)";
    // Each phrasing twice: first with two sides of two characters or more joined by 和, 与, 跟 or 及, so that the
    // 同, 与 and 和 inside a word (合同, 协同, 参与, 总和) do not split it; then as it is written, for 栈和堆.
    private static final List<Pattern> ZH_COMPARISONS = List.of(
            Pattern.compile("^(?:对比|比较)(?:一下)?(.{2,}?)(?:和|与|跟|及)(.{2,}?)(?:之间)?(?:的)?(?:区别|差别|差异|异同|不同)?$"),
            Pattern.compile("^(.{2,}?)(?:和|与|跟)(.{2,}?)(?:之间)?(?:的|有什么|有何|有哪些)?" + "(?:区别|差别|差异|异同|不同|比较|对比)"),
            Pattern.compile("^(.{2,}?)(?:和|与|跟)(.{2,}?)" + ZH_SET_AGAINST),
            Pattern.compile("^(?:对比|比较)(?:一下)?(.+?)(?:和|与|跟|同|及)(.+?)(?:之间)?(?:的)?(?:区别|差别|差异|异同|不同)?$"),
            Pattern.compile("^(.+?)(?:和|与|跟|同)(.+?)(?:之间)?(?:的|有什么|有何|有哪些)?" + "(?:区别|差别|差异|异同|不同|比较|对比)"),
            Pattern.compile("^(.+?)(?:和|与|跟|同)(.+?)" + ZH_SET_AGAINST),
            // 与数组相比，链表有什么优势
            Pattern.compile("^(?:与|和|跟|同)(.+?)(?:相比|比起来)(?:的话|而言|来说)?[，,\\s]*(.+?)(?:有什么|有何|有哪些|哪|更|是否|是不是|的|在|$)"),
            Pattern.compile("^(.+?)\\s*(?:vs\\.?|VS|versus)\\s*(.+)$"));
    private static final List<Pattern> EN_COMPARISONS = List.of(
            Pattern.compile("differences? between (.+?) and (.+)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("compare (.+?) (?:and|with|to) (.+)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("how (?:does|do|is|are) (.+?) differ(?:ent)? from (.+)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("distinguish(?:es|ing)? (?:between )?(.+?) (?:from|and) (.+)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("(.+?) compared (?:to|with) (.+)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("(.+?)\\s+(?:vs\\.?|versus)\\s+(.+)", Pattern.CASE_INSENSITIVE));
    // Where an English compared item ends: "arrays and linked lists for insertion", "BFS vs DFS: when to use which?"
    private static final Pattern EN_ITEM_END = Pattern.compile(
            "\\s*(?:[:?,;(—]| for | when | in terms of | regarding | with respect to ).*$", Pattern.CASE_INSENSITIVE);
    // "谓词逻辑中全称量词" compares 全称量词: a leading "… 中/里" names the setting, but not the 中 of 中序遍历.
    private static final Pattern ZH_SETTING = Pattern.compile("^(.{2,}?)[中里](.{2,})$");
    // Chinese writes no spaces between words, so a term ends at the words that link it to the next: those that join
    // two terms, a copula or a predicate ("正交矩阵的行列式是正负一", "矩阵乘法不满足交换律") and a question word with the verb
    // it asks with ("机会成本怎么计算", "相似矩阵有什么性质"). None of them is a term.
    private static final List<String> ZH_JOINING_WORDS = List.of("的", "和", "与", "跟", "及", "以及", "或", "或者", "之间");
    private static final List<String> ZH_LINKING_VERBS = List.of(
            "是",
            "不是",
            "就是",
            "正是",
            "等于",
            "不等于",
            "满足",
            "不满足",
            "属于",
            "不属于",
            "没有",
            "称为",
            "被称为",
            "叫做",
            "一定",
            "不一定",
            "可以",
            "不能",
            // conjunctions and adverbs that hold a 是: cut whole, none is a term ("特征值总是正数", "级数收敛但是不绝对收敛")
            "但是",
            "于是",
            "还是",
            "总是",
            "凡是",
            "只是",
            "可是",
            "要是",
            "若是");
    private static final List<String> ZH_QUESTION_WORDS = List.of(
            "为什么", "什么", "怎么", "怎么样", "怎样", "如何", "是否", "是不是", "能否", "有什么", "有何", "有哪些", "有哪几种", "哪些", "哪几种", "哪个",
            "哪里", "在哪里", "有没有", "能不能", "会不会", "可不可以");
    // 求导 is a term, not the 求 of 怎么求
    private static final String ZH_ASKING_VERB = "(?:判断|计算|证明|理解|解释|区分|求解|求(?!导))?";
    // Words that hold one of the words above and are not cut there: no 但 and 是 from 但是, no 目 from 目的.
    private static final List<String> ZH_WORDS_NOT_CUT =
            List.of("总和", "中和", "饱和", "调和", "和弦", "和谐", "参与", "涉及", "普及", "跟踪", "大于等于", "小于等于");
    // Words never cut but where they read as two words around a 的 or a 和: 题目的条件 is 题目 的 条件, 参数的确定 is 参数 的
    // 确定, 成本和平均成本 is 成本 和 平均成本; 郑和下西洋的目的, 的确如此 and 和平共处 stay whole.
    private static final String ZH_WORDS_NOT_CUT_BESIDE = "(?<![题项科节栏数书条名心纲])目的|的确(?![定认保立切诊实])|和平(?![均方行衡面台板移])";
    private static final Pattern ZH_TERM_END = Pattern.compile("(?<whole>" + ZH_WORDS_NOT_CUT_BESIDE + "|"
            + anyOf(ZH_WORDS_NOT_CUT) + ")"
            + "|[、，,；;：:\\s]+"
            + "|(?:" + anyOf(ZH_QUESTION_WORDS) + ")" + ZH_ASKING_VERB
            + "|" + anyOf(ZH_LINKING_VERBS) + "|" + anyOf(ZH_JOINING_WORDS));
    // A word right after "of" is its noun, not a verb: "Maslow's hierarchy of needs" does not end at "needs".
    private static final Pattern EN_TERM_SEPARATORS = Pattern.compile(
            // a word joined by a hyphen is no separator: "in-depth", "trade-off"
            "\\s*(?:,|;|:|(?<!-)\\b(?:and|or|in|for|with|at)\\b(?!-)|\\bvs\\.?"
                    + "|\\b(?<!\\bof\\s)(?<!-)(?:is|are|was|were|does|do|did|has|have|need|needs|lose|loses|use|uses|called)"
                    + "\\b(?!-)"
                    // what a clause says of its subject, with the verb it leads to: "the Congress of Vienna trying to
                    // achieve", "energy used to power the cell"; never a word of a term
                    + "|\\b(?:trying|going|meant|supposed|used|able|hoping|aiming|seeking|attempting|wanting|intended"
                    + "|designed)\\s+to\\s+(?!(?:a|an|the)\\b)[a-z]+\\b)\\s*",
            Pattern.CASE_INSENSITIVE);
    // "of" between two nouns is inside a term ("phases of mitosis", "Treaty of Versailles") as long as the phrase stays
    // short; a longer one is a clause ("happens when a massive star runs out of fuel") and is cut at its "of".
    private static final Pattern EN_OF = Pattern.compile("\\s*(?<!-)\\bof\\b(?!-)\\s*", Pattern.CASE_INSENSITIVE);
    // counted without articles: "significance of the Glorious Revolution" is four words
    private static final int MAX_OF_PHRASE_WORDS = 4;
    private static final Set<String> ARTICLES = Set.of("a", "an", "the");
    // "What is photosynthesis? Define the light-dependent reactions" asks two things, each with its own question words
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[?？!！。])\\s*|(?<=\\.)\\s+");
    // how a question asks, never what it asks about: "How can I remember the phases", "When should I pick which one"
    private static final Set<String> EN_QUESTION_WORDS = Set.of(
            "how",
            "what",
            "why",
            "when",
            "where",
            "which",
            "who",
            "whom",
            "whose",
            "can",
            "could",
            "should",
            "would",
            "will",
            "shall",
            "may",
            "might",
            "must",
            "i",
            "we",
            "you",
            "me",
            "my",
            "our",
            "your",
            "their",
            "its",
            "it",
            "they",
            "this",
            "that",
            "these",
            "those",
            "own",
            "a",
            "an",
            "the",
            "do",
            "does",
            "did",
            "is",
            "are",
            "remember",
            "memorize",
            "understand",
            "learn",
            "define",
            "explain",
            "describe",
            "give",
            "example",
            "examples",
            "pick",
            "choose",
            "one",
            "ones",
            "role",
            "way",
            "ways",
            "best",
            "to",
            "please",
            "about");

    private final String text;
    /** The line without the label a learner tags a card with ("Review: …", "复习：…"): what it asks. */
    private final String asked;

    private final Language language;

    QuestionText(String text, Language language) {
        this.text = firstLine(text);
        this.asked = firstWords(STUDY_LABEL.matcher(this.text).replaceFirst(""));
        this.language = language;
    }

    /**
     * What the question's words are read from: its first {@value #MOST_READ} characters, ended at a word. A question is
     * a line or two; the patterns that read it take time that grows faster than its length, and a card of 60 000
     * characters ("of of of …", pasted or planted) kept a model slot for minutes.
     */
    private static String firstWords(String line) {
        if (line.length() <= MOST_READ) {
            return line;
        }
        int end = Character.isLowSurrogate(line.charAt(MOST_READ)) ? MOST_READ - 1 : MOST_READ;
        int space = line.lastIndexOf(' ', end);
        return line.substring(0, space > MOST_READ / 2 ? space : end);
    }

    static final int MOST_READ = 300;

    // a card's tag, not what it asks about: never a key term, and no part of a comparison
    private static final Pattern STUDY_LABEL = Pattern.compile(
            "^(?:review|revision|recap|question|q\\d{0,3}|quiz|exam|todo|复习|回顾|问题|思考|疑问|练习|考点|重点|难点|提问)"
                    + "\\s*[:：]\\s*(?=\\S)",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    /** The first line with words, as plain words: "## Heading question" → "Heading question". */
    private static String firstLine(String text) {
        for (String line : (text == null ? "" : text).strip().split("\\R")) {
            String plain = plain(line);
            if (!plain.isEmpty()) {
                return plain;
            }
        }
        return "";
    }

    // what Markdown puts before a line's words: headings, list items, quotes, tasks
    private static final Pattern LEADING_MARKDOWN =
            Pattern.compile("^(?:\\s*(?:#{1,6}(?=\\s|$)|[-*+](?=\\s)|\\d{1,9}[.)](?=\\s)|>|\\[[ xX]](?=\\s)))+\\s*");
    private static final Pattern CLOSING_HASHES = Pattern.compile("\\s+#+\\s*$");
    private static final Pattern BOLD = Pattern.compile("\\*\\*|__");

    private static String plain(String line) {
        String plain = LEADING_MARKDOWN.matcher(line.strip()).replaceFirst("");
        if (!plain.equals(line.strip()) && line.strip().startsWith("#")) {
            plain = CLOSING_HASHES.matcher(plain).replaceFirst("");
        }
        return BOLD.matcher(plain).replaceAll("").replaceAll("\\s+", " ").strip();
    }

    /** The question's first line, as the learner wrote it. */
    String line() {
        return text;
    }

    /** The thing asked about, without the question words; the whole line when nothing could be removed. */
    String subject() {
        List<String> compared = comparedItems();
        if (!compared.isEmpty()) {
            return String.join(language == Language.ZH ? "和" : " and ", compared);
        }
        String subject = subjectOf(sentences().get(0));
        return subject.isEmpty() ? asked : subject;
    }

    /** The line's sentences: "What is photosynthesis? Define the light-dependent reactions" asks two. */
    private List<String> sentences() {
        List<String> sentences = new ArrayList<>();
        for (String sentence : SENTENCE_END.split(asked)) {
            if (!TRAILING_PUNCTUATION.matcher(sentence).replaceAll("").isBlank()) {
                sentences.add(sentence.strip());
            }
        }
        return sentences.isEmpty() ? List.of(asked) : sentences;
    }

    /** One sentence's subject without its question words; empty when it is nothing but question words. */
    private String subjectOf(String sentence) {
        String subject = TRAILING_PUNCTUATION.matcher(sentence).replaceAll("");
        if (language == Language.ZH) {
            subject = stripAffixes(subject, ZH_PREFIXES, ZH_SUFFIXES);
        } else {
            String lower = subject.toLowerCase(Locale.ROOT);
            for (String prefix : EN_PREFIXES) {
                if (lower.startsWith(prefix + " ")) {
                    subject = subject.substring(prefix.length()).strip();
                    break;
                }
            }
            subject = EN_TRAILING_CLAUSE
                    .matcher(ARTICLE.matcher(subject).replaceFirst(""))
                    .replaceFirst("");
        }
        return TRAILING_PUNCTUATION.matcher(subject).replaceAll("").strip();
    }

    private static String stripAffixes(String text, List<String> prefixes, List<String> suffixes) {
        String result = text;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String prefix : prefixes) {
                if (result.startsWith(prefix) && result.length() > prefix.length()) {
                    result = result.substring(prefix.length()).strip();
                    changed = true;
                }
            }
            for (String suffix : suffixes) {
                if (result.endsWith(suffix) && result.length() > suffix.length()) {
                    result = result.substring(0, result.length() - suffix.length())
                            .strip();
                    changed = true;
                }
            }
        }
        return result;
    }

    /** Words that name a kind of the noun after them: 连续型, 可逆性, 递归式. */
    private static final String KIND_WORDS = "型性式";

    /** The concepts a comparison question names, in order ("A和B的区别", "A vs B", "difference between A and B"). */
    List<String> comparedItems() {
        String line = TRAILING_PUNCTUATION.matcher(asked).replaceAll("");
        for (Pattern pattern : language == Language.ZH ? ZH_COMPARISONS : EN_COMPARISONS) {
            Matcher match = pattern.matcher(line);
            if (match.find()) {
                Set<String> items = new LinkedHashSet<>();
                for (String first : match.group(1).split("、")) {
                    add(items, first, true);
                }
                add(items, match.group(2), false);
                if (items.size() >= 2) {
                    return language == Language.ZH ? withSharedHead(List.copyOf(items)) : List.copyOf(items);
                }
            }
        }
        return List.of();
    }

    /**
     * "连续型和离散型随机变量的区别" compares 连续型随机变量 with 离散型随机变量: the noun after a kind word (型, 性, 式) is
     * written once, after the last item, and shared by the items before it that end in the same kind word.
     */
    private static List<String> withSharedHead(List<String> items) {
        String last = items.getLast();
        for (int at = 1; at < last.length() - 1; at++) {
            char kind = last.charAt(at);
            if (KIND_WORDS.indexOf(kind) < 0) {
                continue;
            }
            List<String> before = items.subList(0, items.size() - 1);
            if (before.stream().allMatch(item -> item.length() > 1 && item.charAt(item.length() - 1) == kind)) {
                String head = last.substring(at + 1);
                List<String> shared = new java.util.ArrayList<>();
                before.forEach(item -> shared.add(item + head));
                shared.add(last);
                // 形式和形式化方法 names two things, not 形式化方法 twice
                return shared.stream().distinct().count() == shared.size() ? List.copyOf(shared) : items;
            }
        }
        return items;
    }

    private void add(Set<String> items, String raw, boolean first) {
        String item = raw.strip();
        if (language == Language.ZH) {
            Matcher setting = ZH_SETTING.matcher(item);
            if (first && setting.matches()) {
                item = setting.group(2);
            }
            item = stripAffixes(item, ZH_PREFIXES, ZH_SUFFIXES);
        } else {
            item = EN_ITEM_END.matcher(item).replaceFirst("");
            String lower = item.toLowerCase(Locale.ROOT);
            for (String prefix : EN_PREFIXES) {
                if (lower.startsWith(prefix + " ")) {
                    item = item.substring(prefix.length()).strip();
                    break;
                }
            }
            item = ARTICLE.matcher(item.strip()).replaceFirst("");
        }
        item = TRAILING_PUNCTUATION.matcher(item).replaceAll("").strip();
        if (!item.isEmpty() && items.size() < 4) {
            items.add(item);
        }
    }

    /** Terms the question itself names, for when its group brought none: "逆否命题和否命题的区别" → 逆否命题, 否命题. */
    List<String> ownTerms() {
        List<String> compared = comparedItems();
        if (!compared.isEmpty()) {
            return compared;
        }
        List<String> terms = new ArrayList<>();
        for (String sentence : sentences()) {
            String subject = subjectOf(sentence);
            List<String> parts = language == Language.ZH ? chineseParts(subject) : englishParts(subject);
            for (String part : parts) {
                String term = withoutQuestionWords(part);
                if (isTerm(term) && !terms.contains(term)) {
                    terms.add(term);
                }
            }
        }
        return terms;
    }

    /** "正交矩阵的行列式是正负一" → 正交矩阵, 行列式, 正负一: the text between the words where a Chinese term ends. */
    private static List<String> chineseParts(String text) {
        List<String> parts = new ArrayList<>();
        Matcher end = ZH_TERM_END.matcher(text);
        int start = 0;
        while (end.find()) {
            if (end.group("whole") == null) {
                parts.add(text.substring(start, end.start()));
                start = end.end();
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    /** "the terms of the Treaty of Versailles" → "the terms", "the Treaty of Versailles". */
    private List<String> englishParts(String text) {
        List<String> parts = new ArrayList<>();
        for (String clause : EN_TERM_SEPARATORS.split(text)) {
            parts.addAll(ofPhrases(clause));
        }
        return parts;
    }

    /**
     * The clause cut at each "of" that does not join two nouns into a short phrase; joined from the right, since the
     * last "of" binds closest: "terms of the Treaty of Versailles" keeps "Treaty of Versailles".
     */
    private List<String> ofPhrases(String clause) {
        String[] pieces = EN_OF.split(clause, -1);
        List<String> phrases = new ArrayList<>();
        String phrase = pieces[pieces.length - 1];
        for (int i = pieces.length - 2; i >= 0; i--) {
            String joined = pieces[i] + " of " + phrase;
            boolean bothNameSomething = !withoutQuestionWords(pieces[i]).isEmpty()
                    && !withoutQuestionWords(phrase).isEmpty();
            if (bothNameSomething && wordsBesideArticles(withoutQuestionWords(joined)) <= MAX_OF_PHRASE_WORDS) {
                phrase = joined;
            } else {
                phrases.add(0, phrase);
                phrase = pieces[i];
            }
        }
        phrases.add(0, phrase);
        return phrases;
    }

    private static long wordsBesideArticles(String phrase) {
        return Arrays.stream(phrase.split("\\s+"))
                .filter(word -> !ARTICLES.contains(word.toLowerCase(Locale.ROOT)))
                .count();
    }

    /** The words as alternatives of a pattern, the longest first: 怎么样 is one question word, not 怎么 and a stray 样. */
    private static String anyOf(List<String> words) {
        return words.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote)
                .collect(Collectors.joining("|"));
    }

    /** Two characters or more, or one Chinese character: 秩, 栈 and 基 are whole terms. */
    private static boolean isTerm(String term) {
        int length = term.codePointCount(0, term.length());
        return length >= 2
                || length == 1 && Character.UnicodeScript.of(term.codePointAt(0)) == Character.UnicodeScript.HAN;
    }

    /** "World War I", "Henry VIII": an "I" after a capitalised word ends a name, it is not the learner asking. */
    private static boolean isRomanNumeralOfAName(List<String> words) {
        int last = words.size() - 1;
        return last > 0
                && words.get(last).equals("I")
                && Character.isUpperCase(words.get(last - 1).codePointAt(0));
    }

    /** "How can I remember the phases" → "phases"; "When should I pick which one" → "". */
    private String withoutQuestionWords(String part) {
        String term = TRAILING_PUNCTUATION.matcher(part.strip()).replaceAll("");
        if (language == Language.ZH) {
            return stripAffixes(term, ZH_PREFIXES, ZH_SUFFIXES);
        }
        List<String> words = new ArrayList<>(List.of(term.split("\\s+")));
        while (!words.isEmpty() && EN_QUESTION_WORDS.contains(words.get(0).toLowerCase(Locale.ROOT))) {
            words.remove(0);
        }
        while (!words.isEmpty()
                && EN_QUESTION_WORDS.contains(words.get(words.size() - 1).toLowerCase(Locale.ROOT))
                && !isRomanNumeralOfAName(words)) {
            words.remove(words.size() - 1);
        }
        return String.join(" ", words).strip();
    }
}
