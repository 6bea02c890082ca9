package org.canvasbatch.adapters.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.AgentRouter;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.routing.Routing;

/** One offline note: the shared frame (title, notice, question, context) around the agent's own sections. */
final class OfflineNote {

    private static final int MAX_TERMS = 6;
    private static final int MAX_RELATED = 12;
    private static final AgentRouter ROUTER = new AgentRouter();

    private final AgentRequest request;
    private final Language lang;
    private final QuestionText question;
    /** Routed as the core routes the node, so the plan leads with the agent a batch would give it. */
    private final Routing routing;

    private final String subject;
    private final List<String> terms;
    private final List<String> understanding;
    private final List<RelatedQuestion> related;
    private final StringBuilder md = new StringBuilder();

    OfflineNote(AgentRequest request) {
        this.request = request;
        this.lang = Language.of(request);
        String text = request.nodeText().isBlank() ? request.content() : request.nodeText();
        this.question = new QuestionText(text, lang);
        this.routing = ROUTER.route(text);
        this.subject = question.subject();
        this.terms = keyTerms(request, question);
        this.understanding = request.context().learnerUnderstanding().stream()
                .filter(u -> !u.isBlank())
                .map(String::strip)
                .toList();
        this.related = request.context().relatedQuestions().stream()
                .map(r -> new RelatedQuestion(r.text().strip(), r.agent()))
                .filter(r -> !NoteLink.shown(r.text()).isEmpty())
                .filter(r -> !r.text().equals(request.nodeText().strip()))
                .distinct()
                .limit(MAX_RELATED)
                .toList();
    }

    private static List<String> keyTerms(AgentRequest request, QuestionText question) {
        List<String> terms = new ArrayList<>();
        for (String term : request.context().groupTerms()) {
            if (!term.isBlank() && !terms.contains(term.strip()) && terms.size() < MAX_TERMS) {
                terms.add(term.strip());
            }
        }
        for (String term : question.ownTerms()) {
            if (!terms.contains(term) && terms.size() < MAX_TERMS) {
                terms.add(term);
            }
        }
        return List.copyOf(terms);
    }

    String markdown() {
        AgentId agent = request.agent();
        h1(question.line().isEmpty() ? agentNameIn(agent) : question.line());
        notice();
        source();
        questionSection();
        switch (agent) {
            case ORAL_EXPLANATION -> oralExplanation();
            case FOUR_LEVEL_EXPLANATION -> fourLevels();
            case CLARIFICATION_PATH -> clarificationPath();
            case COMPARISON_TABLE -> comparisonTable();
            case EXAMPLE_TEACHING -> exampleTeaching();
            case MEMORY_ANCHOR -> memoryAnchor();
            case DEEP_DECOMPOSITION -> deepDecomposition();
            case BASIC_DECOMPOSITION -> basicDecomposition();
            case QUESTION_DECOMPOSITION -> questionDecomposition();
            case VERIFICATION_QUESTION -> verificationQuestions();
            case SCORING_AGENT -> scoring();
            case CANVAS_ORCHESTRATOR -> orchestration();
        }
        if (agent != AgentId.CLARIFICATION_PATH && agent != AgentId.SCORING_AGENT) {
            understandingSection();
        }
        if (agent != AgentId.DEEP_DECOMPOSITION) {
            relatedSection();
        }
        termsSection();
        return md.toString().strip() + "\n";
    }

    // ---- the shared frame ------------------------------------------------------------------------------------------

    private void notice() {
        String name = agentNameIn(request.agent());
        callout(
                "info",
                t("离线生成的学习框架", "Study scaffold written offline"),
                t(
                        "这篇笔记由 canvas-batch 的离线模式生成，没有使用语言模型：它根据白板上的问题、你的理解和同组的问题，"
                                + "搭好了「" + name + "」的框架，具体内容需要你自己来填。\n"
                                + "想让语言模型直接写出完整的笔记，可以这样运行：\n"
                                + "- OpenAI：先设置环境变量 `OPENAI_API_KEY`，再运行 "
                                + "`canvas-batch run … --model-provider openai --model gpt-4o-mini`\n"
                                + "- 本地的 Ollama（不需要密钥）：`canvas-batch run … --model-provider openai "
                                + "--base-url http://localhost:11434/v1 --model qwen2.5`\n"
                                + "- Anthropic：先设置环境变量 `ANTHROPIC_API_KEY`，再运行 "
                                + "`canvas-batch run … --model-provider anthropic --model claude-3-5-haiku-latest`",
                        "canvas-batch wrote this note in offline mode, without a language model: from the question on the "
                                + "canvas, your own understanding and the other questions of its group it laid out the "
                                + name + " for you to fill in.\n"
                                + "To have a language model write the full note, run:\n"
                                + "- OpenAI: set the environment variable `OPENAI_API_KEY`, then "
                                + "`canvas-batch run … --model-provider openai --model gpt-4o-mini`\n"
                                + "- a local Ollama (no key needed): `canvas-batch run … --model-provider openai "
                                + "--base-url http://localhost:11434/v1 --model qwen2.5`\n"
                                + "- Anthropic: set `ANTHROPIC_API_KEY`, then "
                                + "`canvas-batch run … --model-provider anthropic --model claude-3-5-haiku-latest`"));
    }

    private void source() {
        AgentRequest.NodeContext context = request.context();
        List<String> parts = new ArrayList<>();
        if (!context.canvasPath().isBlank()) {
            String name = context.canvasName().isBlank()
                    ? PromptTemplates.canvasNameOf(context.canvasPath())
                    : context.canvasName().strip();
            parts.add(t("白板：", "Canvas: ") + "[[" + context.canvasPath().strip() + "|" + name + "]]");
        } else if (!context.canvasName().isBlank()) {
            parts.add(t("白板：", "Canvas: ") + context.canvasName().strip());
        }
        if (!context.groupName().isBlank()) {
            parts.add(t("分组：", "Group: ") + context.groupName().strip());
        }
        if (!parts.isEmpty()) {
            line(String.join(" · ", parts));
            blank();
        }
    }

    private void questionSection() {
        String text = request.nodeText().strip();
        String content = request.content().strip();
        h2(t("问题", "The question"));
        quote(text.isEmpty() ? content : text);
        blank();
        if (!text.isEmpty() && !content.isEmpty() && !content.equals(text)) {
            h2(t("节点内容", "What the node holds"));
            quote(content);
            blank();
        }
    }

    private void understandingSection() {
        if (understanding.isEmpty()) {
            return;
        }
        h2(t("你的理解", "Your understanding"));
        line(t("白板上与这个问题相连的黄色节点里，你是这样写的：", "This is what you wrote in the yellow nodes connected to this question:"));
        blank();
        quoteUnderstanding();
        line(t(
                "对照上面的框架检查：哪些地方已经对了，哪些还需要补充或更正？",
                "Check it against the scaffold above: what is already right, and what needs adding or correcting?"));
        blank();
    }

    private void quoteUnderstanding() {
        for (String text : understanding) {
            quote(text);
            blank();
        }
    }

    private void relatedSection() {
        if (related.isEmpty()) {
            return;
        }
        h2(t("相关问题", "Related questions"));
        line(t(
                "同一分组里你还问了这些问题（链接指向它们各自的笔记）：",
                "The other questions you asked in the same group (links go to their own notes):"));
        blank();
        relatedLinks();
        blank();
    }

    private void relatedLinks() {
        for (RelatedQuestion question : related) {
            bullet(NoteLink.to(question));
        }
    }

    private void termsSection() {
        if (terms.isEmpty()) {
            return;
        }
        h2(t("关键词", "Key terms"));
        line(String.join(" · ", terms));
        blank();
    }

    // ---- one layout per agent --------------------------------------------------------------------------------------

    private void oralExplanation() {
        h2(t("一句话回答", "The answer in one sentence"));
        callout(
                "question",
                t("先自己说一遍", "Say it yourself first"),
                t(
                        "假设上课时老师点到你：用一句话回答" + q(question.line()) + "。",
                        "Imagine the teacher calls on you in class: answer " + q(question.line())
                                + " in one sentence."));
        h2(t("课堂上怎么讲", "How a teacher would say it"));
        numbered(List.of(
                t(
                        "先说它解决什么问题：为什么需要" + q(subject) + "？",
                        "Start with the problem it solves: why do we need " + q(subject) + "?"),
                t(
                        "再说它是什么：用自己的话给出定义" + termHint("，讲到这些词：", "。"),
                        "Then say what it is: a definition in your own words" + termHint(", using these terms: ", ".")),
                t("打一个生活中的比方，让没学过的人也能听懂。", "Give an everyday analogy that someone new to it would follow."),
                t(
                        "最后给出课本上的准确说法，对照自己的说法哪里不一样。",
                        "Finish with the textbook statement and compare it with yours: where do they differ?")));
        blank();
        h2(t("常见误区", "A common misunderstanding"));
        checkbox(t(
                "我能说出一个关于" + q(subject) + "的常见误解，并解释它错在哪里。",
                "I can name a common misunderstanding about " + q(subject) + " and explain why it is wrong."));
        blank();
        h2(t("小结", "Recap"));
        bullet(t("一句话：", "In one sentence: "));
        bullet(t("关键点：", "Key point: "));
        bullet(t("容易错的地方：", "Watch out for: "));
        blank();
    }

    private void fourLevels() {
        h2(t("第一层·入门", "Level 1 — Beginner"));
        bullet(t(
                "不用任何术语，向一个中学生解释" + q(subject) + "：它像生活中的什么？",
                "Explain " + q(subject) + " to a teenager without any jargon: what in everyday life is it like?"));
        checkbox(t("我能用一个类比讲清楚", "I can explain it with one analogy"));
        blank();
        h2(t("第二层·进阶", "Level 2 — Intermediate"));
        bullet(t(
                "用课本上的标准说法解释" + q(subject) + termHint("，用上这些关键词：", "。"),
                "Give the standard textbook explanation of " + q(subject) + termHint(", using: ", ".")));
        checkbox(t("我能不看资料写出标准说法", "I can write the standard explanation without looking it up"));
        blank();
        h2(t("第三层·深入", "Level 3 — Advanced"));
        bullet(t(
                "写出" + q(subject) + "的精确定义、公式或机制，并说明每个条件为什么不能少。",
                "Write the precise definition, formula or mechanism of " + q(subject)
                        + ", and say why each condition is needed."));
        checkbox(t("我能给出一个证明思路或推导", "I can sketch a proof or a derivation"));
        blank();
        h2(t("第四层·专家", "Level 4 — Expert"));
        bullet(t(
                "在什么情况下" + q(subject) + "会失效、退化或出现例外？",
                "Where does " + q(subject) + " break down, degenerate or have exceptions?"));
        bullet(t("它和相邻的理论有什么联系？", "How does it connect to the neighbouring theory?"));
        blank();
        callout(
                "tip",
                t("现在以哪一层为目标", "Which level to aim for now"),
                t(
                        "能不看资料讲清楚第二层，再往第三层走；考试前至少要到第三层。",
                        "Once you can explain level 2 without notes, move on to level 3; before an exam, reach level 3 at least."));
    }

    private void clarificationPath() {
        h2(t("起点：你现在的理解", "Where you start: your current understanding"));
        if (understanding.isEmpty()) {
            line(t(
                    "白板上还没有与这个问题相连的黄色节点。先在一个黄色节点里写下你现在的理解（哪怕不完整），" + "连到这个问题上，这条路径就有了起点。",
                    "No yellow node is connected to this question on the canvas yet. Write what you understand now in "
                            + "a yellow node (incomplete is fine) and connect it to the question: that is where this "
                            + "path starts."));
            blank();
        } else {
            line(t("你是这样写的：", "This is what you wrote:"));
            blank();
            quoteUnderstanding();
        }
        h3(t("第 1 步：说出卡在哪里", "Step 1 — Name what confuses you"));
        line(t("把困惑写成一句具体的话：“我不明白为什么……”。", "Write the confusion as one precise sentence: " + "\"I don't see why …\"."));
        blank();
        h3(t("第 2 步：逐个确认关键词", "Step 2 — Check each key term"));
        if (terms.isEmpty()) {
            checkbox(t("问题里的每个术语，我都能用自己的话解释", "I can explain every term in the question in my own words"));
        }
        for (String term : terms) {
            checkbox(t(q(term) + "：我能用自己的话解释", q(term) + ": I can explain it in my own words"));
        }
        blank();
        h3(t("第 3 步：找一个最简单的例子", "Step 3 — Find the simplest example"));
        line(t(
                "找一个" + q(subject) + "最简单的具体例子，一步步验证它。",
                "Find the simplest concrete instance of " + q(subject) + " and check it step by step."));
        blank();
        h3(t("第 4 步：找一个反例或边界情况", "Step 4 — Find a counterexample or an edge case"));
        line(t("什么情况下它不成立？为什么？", "When does it not hold, and why?"));
        blank();
        h3(t("第 5 步：用自己的话重新表述", "Step 5 — Restate it in your own words"));
        line(t("回到第 1 步的那句话，现在你能回答它了吗？", "Go back to your sentence from step 1: can you answer it now?"));
        blank();
        callout(
                "check",
                t("怎样算真的懂了", "How to tell you have got it"),
                t(
                        "你能不看资料向别人解释" + q(subject) + "，并回答对方追问的“为什么”。",
                        "You can explain " + q(subject) + " to someone without notes and answer their \"why?\"."));
    }

    private void comparisonTable() {
        List<String> items = question.comparedItems();
        if (items.size() < 2) {
            items = terms.size() >= 2
                    ? terms.subList(0, 2)
                    : terms.size() == 1
                            ? List.of(terms.get(0), t("容易混淆的概念", "the concept it is confused with"))
                            : List.of(t("概念 A", "Concept A"), t("概念 B", "Concept B"));
        }
        h2(t("对比表", "Comparison"));
        StringBuilder header = new StringBuilder("| " + t("维度", "Aspect") + " |");
        StringBuilder rule = new StringBuilder("| --- |");
        for (String item : items) {
            header.append(' ').append(cell(item)).append(" |");
            rule.append(" --- |");
        }
        line(header.toString());
        line(rule.toString());
        for (String aspect : List.of(
                t("定义", "Definition"),
                t("核心性质", "Key property"),
                t("原理 / 怎么运作", "How it works"),
                t("典型用途", "Typical use"),
                t("易错点", "Pitfalls"),
                t("例子", "Example"))) {
            line("| " + aspect + " |" + "  |".repeat(items.size()));
        }
        blank();
        h2(t("什么时候用哪个", "When to use which"));
        for (String item : items) {
            bullet(t("用" + q(item) + "，当……", "Use " + q(item) + " when …"));
        }
        blank();
        h2(t("容易混淆的地方", "Common confusions"));
        checkbox(t(
                q(items.get(0)) + "和" + q(items.get(1)) + "最容易搞混的一点是：",
                "What people most often mix up between " + q(items.get(0)) + " and " + q(items.get(1)) + ":"));
        checkbox(t("一眼区分它们的办法：", "A quick way to tell them apart:"));
        blank();
    }

    private void exampleTeaching() {
        List<String[]> examples = List.of(
                new String[] {
                    t("例 1：最简单的情形", "Example 1 — The simplest case"),
                    t(
                            "找一个只涉及" + q(subject) + "本身、没有干扰因素的例子。",
                            "Pick an example that involves only " + q(subject) + ", with nothing else in the way.")
                },
                new String[] {
                    t("例 2：典型应用", "Example 2 — A typical use"),
                    t("找一道教材或考试里的典型题。", "Take a typical problem from the textbook or an exam.")
                },
                new String[] {
                    t("例 3：易错情形", "Example 3 — The tricky case"),
                    t("找一个反直觉、容易做错的情况。", "Find a counter-intuitive case where people go wrong.")
                });
        for (String[] example : examples) {
            h2(example[0]);
            line(t("**情境**：", "**Setup**: ") + example[1]);
            blank();
            line(t("**解答**：", "**Solution**:"));
            blank();
            line("1. ");
            blank();
            callout("tip", t("启示", "Lesson"), t("这个例子说明了……", "This example shows …"));
        }
        h2(t("练习", "Practice"));
        line(t(
                "自己出一道关于" + q(subject) + "的题，把答案写在下面折叠起来，过几天再做一遍。",
                "Write one problem about " + q(subject) + " yourself, put its answer in the folded callout below and "
                        + "try it again in a few days."));
        blank();
        callout("faq-", t("答案", "Answer"), t("（写在这里）", "(write it here)"));
    }

    private void memoryAnchor() {
        h2(t("核心表述", "Core statement"));
        callout(
                "quote",
                t("背下这一句", "Learn this sentence"),
                t("用一句话写下" + q(subject) + "的核心。", "Write the core of " + q(subject) + " in one sentence."));
        h2(t("口诀", "Mnemonic"));
        if (terms.isEmpty()) {
            line(t(
                    "把问题里的关键词各取一个字，编成一句顺口的话。",
                    "Take the first letter of each key term in the question and make it into a phrase."));
        } else {
            line("**" + mnemonic() + "**" + t(" —— 取自关键词：", " — from the key terms: ")
                    + String.join(
                            lang == Language.ZH ? "、" : ", ",
                            terms.stream().map(this::markInitial).toList()));
            blank();
            line(t("把它扩写成一句顺口的话，念三遍。", "Turn it into a phrase you can say aloud, and say it three times."));
        }
        blank();
        h2(t("类比", "Analogy"));
        line(t(q(subject) + "就像……（生活中的一个画面），因为：", q(subject) + " is like … (an everyday picture), because:"));
        blank();
        bullet(t("……对应……", "… corresponds to …"));
        blank();
        h2(t("记忆钩子", "Hooks"));
        bullet(t("它和我已经会的哪个知识有关？", "Which thing I already know does it connect to?"));
        if (terms.size() >= 2) {
            bullet(t(
                    "防混淆：" + q(terms.get(0)) + " ≠ " + q(terms.get(1)) + "，区别在于……",
                    "Don't mix up: " + q(terms.get(0)) + " ≠ " + q(terms.get(1)) + ", the difference is …"));
        }
        blank();
        h2(t("间隔复习", "Spaced review"));
        for (int day : new int[] {1, 3, 7, 14, 30}) {
            checkbox(t(
                    "第 " + day + " 天：不看笔记，复述核心表述和口诀",
                    "Day " + day + ": recite the core statement and the mnemonic without looking"));
        }
        blank();
    }

    /** 逆否命题、否命题、原命题 → 逆·否·原; hash table, collision, load factor → HCL. */
    private String mnemonic() {
        List<String> initials = terms.stream()
                .map(term -> term.substring(0, term.offsetByCodePoints(0, 1)))
                .toList();
        return lang == Language.ZH
                ? String.join("·", initials)
                : String.join("", initials).toUpperCase(Locale.ROOT);
    }

    private String markInitial(String term) {
        int end = term.offsetByCodePoints(0, 1);
        return lang == Language.ZH
                ? "**" + term.substring(0, end) + "**" + term.substring(end)
                : "**" + term.substring(0, end).toUpperCase(Locale.ROOT) + "**" + term.substring(end);
    }

    private void deepDecomposition() {
        h2(t("核心论断", "Core claim"));
        line(t("准确地写出" + q(subject) + "说的是什么：", "State precisely what " + q(subject) + " says:"));
        blank();
        h2(t("前提与假设", "Assumptions"));
        checkbox(t("它成立需要哪些条件？", "What must hold for it to be true?"));
        checkbox(t("去掉其中一个条件会怎样？", "What happens when one condition is dropped?"));
        blank();
        h2(t("结构", "Structure"));
        if (terms.isEmpty()) {
            bullet(t("它由哪几部分组成？各部分之间如何依赖？", "What are its parts, and how do they depend on each other?"));
        }
        for (String term : terms) {
            bullet("**" + term + "**" + t("：它在整体中起什么作用？", ": what role does it play in the whole?"));
        }
        blank();
        h2(t("边界情况", "Edge cases"));
        checkbox(t(
                "退化情形（空的、只有一个元素、全部相同……）会怎样？",
                "What happens in degenerate cases (empty, a single element, all equal …)?"));
        checkbox(t("找一个看起来符合、其实不符合的例子。", "Find an instance that looks like it fits but does not."));
        blank();
        h2(t("与其他知识的联系", "Connections"));
        if (related.isEmpty()) {
            bullet(t("它和你学过的哪些概念有关？", "Which concepts you have learned does it relate to?"));
        } else {
            line(t("同一分组里的这些问题和它有关：", "These questions of the same group relate to it:"));
            blank();
            relatedLinks();
        }
        blank();
        h2(t("值得继续追问的问题", "Open questions"));
        checkbox(t("为什么是这样，而不是别的样子？", "Why is it this way and not another?"));
        checkbox(t("它能推广吗？推广后还成立吗？", "Does it generalise, and does it still hold then?"));
        blank();
    }

    private void basicDecomposition() {
        h2(t("子问题（按顺序回答）", "Sub-questions, to answer in order"));
        List<String> steps = new ArrayList<>();
        for (String term : terms.subList(0, Math.min(3, terms.size()))) {
            steps.add(t(q(term) + "是什么？", "What is " + q(term) + "?"));
        }
        steps.add(t(
                q(subject) + "由哪些部分组成？它们之间是什么关系？", "What parts make up " + q(subject) + ", and how are they related?"));
        steps.add(t("能举一个最简单的例子吗？", "What is the simplest example?"));
        steps.add(t("回到原问题：" + question.line(), "Back to the question: " + question.line()));
        for (int i = 0; i < steps.size(); i++) {
            h3((i + 1) + ". " + steps.get(i));
            line(t("答：", "Answer: "));
            blank();
        }
        h2(t("合起来看", "Putting it together"));
        line(t("把上面的答案按顺序连起来，就是原问题的答案：", "Chain the answers above in order and you have the answer to the question:"));
        blank();
    }

    private void questionDecomposition() {
        h2(t("子问题", "Sub-questions"));
        List<String[]> parts = new ArrayList<>(List.of(
                new String[] {
                    t("定义", "Definition"),
                    t(
                            "不看书，" + q(subject) + "的定义是什么？",
                            "Without the book: what is the definition of " + q(subject) + "?")
                },
                new String[] {
                    t("条件", "Conditions"),
                    t(q(subject) + "在什么条件下成立或适用？", "Under which conditions does " + q(subject) + " hold or apply?")
                },
                new String[] {t("机制", "Mechanism"), t("它是怎么起作用的？分几步？", "How does it work, step by step?")},
                new String[] {t("推论", "Consequences"), t("由它可以推出什么？", "What follows from it?")}));
        for (String term : terms.subList(0, Math.min(3, terms.size()))) {
            parts.add(new String[] {term, t(q(term) + "在其中扮演什么角色？", "What role does " + q(term) + " play?")});
        }
        for (int i = 0; i < parts.size(); i++) {
            h3((i + 1) + ". " + parts.get(i)[0] + t("：", ": ") + parts.get(i)[1]);
            bullet(t("正确答案必须包含：", "A correct answer must contain: "));
            bullet(t("典型错误：", "The typical wrong answer: "));
            blank();
        }
        h2(t("自测顺序", "Self-test order"));
        line(t(
                "先答定义和条件，再答机制和推论；每一题都能不看资料答出来，就可以挑战原问题了。",
                "Answer definition and conditions first, then mechanism and consequences; once you can answer each "
                        + "without notes, try the whole question."));
        blank();
    }

    private void verificationQuestions() {
        String hint = terms.isEmpty()
                ? t("对照教材或你的笔记核对。", "Check it against your textbook or notes.")
                : t(
                        "答案应当涉及：" + String.join("、", terms) + "。对照教材或你的笔记核对。",
                        "A good answer involves: " + String.join(", ", terms)
                                + ". Check it against your textbook or notes.");
        String offline = t("离线模式不生成答案。", "Offline mode writes no answers. ");
        List<String[]> questions = new ArrayList<>();
        questions.add(new String[] {
            t("记忆", "recall"), t(q(subject) + "的定义是什么？", "What is the definition of " + q(subject) + "?")
        });
        questions.add(new String[] {
            t("理解", "understanding"),
            t("用自己的话解释" + q(subject) + "，并说明它为什么成立。", "Explain " + q(subject) + " in your own words, and why it holds.")
        });
        questions.add(new String[] {
            t("应用", "application"),
            t(
                    "举一个" + q(subject) + "的具体例子，并说明它为什么符合。",
                    "Give a concrete example of " + q(subject) + " and say why it fits.")
        });
        List<String> compared = question.comparedItems();
        if (compared.size() >= 2) {
            questions.add(new String[] {
                t("辨析", "distinction"),
                t(
                        q(compared.get(0)) + "和" + q(compared.get(1)) + "最关键的区别是什么？",
                        "What is the key difference between " + q(compared.get(0)) + " and " + q(compared.get(1)) + "?")
            });
        } else if (terms.size() >= 2) {
            questions.add(new String[] {
                t("辨析", "distinction"),
                t(
                        q(terms.get(0)) + "和" + q(terms.get(1)) + "是什么关系？",
                        "How are " + q(terms.get(0)) + " and " + q(terms.get(1)) + " related?")
            });
        }
        if (!related.isEmpty()) {
            String link = NoteLink.to(related.get(0));
            questions.add(
                    new String[] {t("迁移", "transfer"), t("它和" + link + "有什么联系？", "How does it connect to " + link + "?")
                    });
        }
        for (int i = 0; i < questions.size(); i++) {
            h3(t(
                    "问题 " + (i + 1) + "（" + questions.get(i)[0] + "）",
                    "Question " + (i + 1) + " (" + questions.get(i)[0] + ")"));
            line(questions.get(i)[1]);
            blank();
            callout("faq-", t("参考答案", "Answer"), offline + hint);
        }
        if (!understanding.isEmpty()) {
            h3(t(
                    "问题 " + (questions.size() + 1) + "（检验你的理解）",
                    "Question " + (questions.size() + 1) + " (your understanding)"));
            line(t("你在白板上写道：", "On the canvas you wrote:"));
            blank();
            quoteUnderstanding();
            line(t("这完全正确吗？哪里需要补充或更正？", "Is this entirely right? What needs adding or correcting?"));
            blank();
            callout("faq-", t("参考答案", "Answer"), offline + hint);
        }
    }

    private void scoring() {
        h2(t("你的理解", "Your understanding"));
        if (understanding.isEmpty()) {
            line(t(
                    "白板上没有与这个问题相连的黄色节点，所以还没有可以评分的内容。在白板上新建一个黄色节点，" + "写下你对这个问题的理解，连到问题上，再运行一次。",
                    "No yellow node is connected to this question on the canvas, so there is nothing to assess yet. "
                            + "Add a yellow node with your understanding of the question, connect it to the question, "
                            + "and run again."));
            blank();
        } else {
            quoteUnderstanding();
        }
        h2(t("评分标准", "Criteria"));
        String all = String.join("\n", understanding).toLowerCase(Locale.ROOT);
        List<String> covered = terms.stream()
                .filter(term -> all.contains(term.toLowerCase(Locale.ROOT)))
                .toList();
        boolean hasExample = !understanding.isEmpty()
                && List.of("例如", "比如", "例子", "举例", "for example", "for instance", "e.g.", "such as").stream()
                        .anyMatch(all::contains);
        String pending = t("待评", "to assess");
        line("| " + t("标准", "Criterion") + " | " + t("满分", "Points") + " | " + t("得分", "Score") + " | "
                + t("说明", "Notes") + " |");
        line("| --- | --- | --- | --- |");
        line("| " + t("准确性", "Accuracy") + " | 40 | " + pending + " | "
                + t("需要老师或语言模型判断", "needs a teacher or a language model") + " |");
        line("| " + t("完整性", "Completeness") + " | 30 | " + pending + " | "
                + (terms.isEmpty() || understanding.isEmpty()
                        ? t("对照教材检查是否有遗漏", "check against the textbook for gaps")
                        : t(
                                "提到了 " + covered.size() + "/" + terms.size() + " 个关键词",
                                "mentions " + covered.size() + " of " + terms.size() + " key terms"))
                + " |");
        line("| " + t("清晰度", "Clarity") + " | 15 | " + pending + " | "
                + t("别人能不能只读这段话就听懂？", "could someone follow it from this text alone?") + " |");
        line("| " + t("举例", "Examples") + " | 15 | " + pending + " | "
                + (understanding.isEmpty()
                        ? ""
                        : hasExample ? t("包含例子", "gives an example") : t("还没有例子", "gives no example yet"))
                + " |");
        blank();
        if (!terms.isEmpty() && !understanding.isEmpty()) {
            h2(t("关键词覆盖", "Key terms covered"));
            for (String term : terms) {
                line("- [" + (covered.contains(term) ? "x" : " ") + "] " + term);
            }
            blank();
        }
        h2(t("下一步", "Next step"));
        List<String> missing =
                terms.stream().filter(term -> !covered.contains(term)).toList();
        if (understanding.isEmpty()) {
            bullet(t("先写下你的理解（黄色节点），再来评分。", "Write your understanding first (a yellow node), then assess it."));
        } else if (!missing.isEmpty()) {
            bullet(t(
                    "补上还没有提到的关键词：" + String.join("、", missing),
                    "Work in the key terms you have not mentioned: " + String.join(", ", missing)));
        }
        if (!understanding.isEmpty() && !hasExample) {
            bullet(t("加一个具体的例子。", "Add one concrete example."));
        }
        bullet(t(
                "用检验问题（verification-question）测一测自己。",
                "Test yourself with verification questions " + "(verification-question)."));
        blank();
    }

    private void orchestration() {
        Category category = routing.category();
        List<AgentId> plan = List.of(
                routing.agent(),
                switch (category) {
                    case COMPARISON, UNDERSTANDING -> AgentId.EXAMPLE_TEACHING;
                    case DEEP_ANALYSIS, DEFINITION -> AgentId.FOUR_LEVEL_EXPLANATION;
                    case MEMORY, EXAMPLE -> AgentId.ORAL_EXPLANATION;
                    case GENERAL -> AgentId.BASIC_DECOMPOSITION;
                },
                AgentId.VERIFICATION_QUESTION,
                AgentId.SCORING_AGENT);
        h2(t("建议的顺序", "Suggested order"));
        line("| " + t("顺序", "Order") + " | " + t("智能体", "Agent") + " | " + t("为什么", "Why") + " |");
        line("| --- | --- | --- |");
        for (int i = 0; i < plan.size(); i++) {
            AgentId agent = plan.get(i);
            line("| " + (i + 1) + " | " + agent.emoji() + " `" + agent.wireName() + "` | "
                    + cell(reason(agent, i == 0 ? category : null)) + " |");
        }
        blank();
        h2(t("为什么是这个顺序", "Why this order"));
        line(t(
                "先用最贴合问题类型的方式把内容讲清楚，再换一个角度加深，然后用问题检验，最后对照你自己的理解打分、找差距。",
                "First the approach that fits the kind of question, then a second angle to deepen it, then questions "
                        + "to check yourself, and last an assessment of your own understanding to find the gaps."));
        blank();
        h2(t("白板布局建议", "Canvas tip"));
        line(t(
                "把生成的笔记按上面的顺序从上到下排在问题节点下方；你的理解（黄色节点）放在旁边，方便对照修改。",
                "Place the resulting notes below the question in the order above, top to bottom; keep your "
                        + "understanding (the yellow node) beside them to revise it as you go."));
        blank();
    }

    private String reason(AgentId agent, Category matched) {
        if (matched != null) {
            return switch (matched) {
                case COMPARISON ->
                    t("问题在比较几个概念，表格最能看清区别", "the question compares concepts: a table shows " + "the differences best");
                case DEEP_ANALYSIS -> t("问题要求深入分析", "the question asks for an in-depth analysis");
                case MEMORY -> t("问题是关于记忆的", "the question is about remembering");
                case EXAMPLE -> t("问题要求举例", "the question asks for examples");
                case UNDERSTANDING -> t("问题在问“为什么”或“如何理解”", "the question asks why, or how to understand");
                case DEFINITION -> t("问题在问一个概念是什么", "the question asks what a concept is");
                case GENERAL ->
                    t("问题没有明显的类型，先把核心讲清楚", "the question has no clear kind: get the core " + "across first");
            };
        }
        return switch (agent) {
            case VERIFICATION_QUESTION -> t("读完后用问题检验自己是否真的懂了", "check with questions that you really " + "understood");
            case SCORING_AGENT ->
                understanding.isEmpty()
                        ? t(
                                "先在黄色节点里写下你的理解，再用它评分",
                                "write your understanding in a yellow node first, " + "then have it assessed")
                        : t(
                                "你已经写下了自己的理解，用它打分、找差距",
                                "you wrote down your understanding: assess it to " + "find the gaps");
            case EXAMPLE_TEACHING -> t("用例子把抽象的内容落到实处", "examples make the abstract concrete");
            case BASIC_DECOMPOSITION ->
                t("把问题拆成能逐个回答的小问题", "break the question into parts you can answer " + "one by one");
            case FOUR_LEVEL_EXPLANATION -> t("从入门到专家逐层加深", "deepen it level by level");
            case ORAL_EXPLANATION -> t("用讲课的方式把核心讲清楚", "get the core across the way a teacher says it");
            default -> t("换一个角度加深理解", "a second angle on the idea");
        };
    }

    private String agentNameIn(AgentId agent) {
        return switch (agent) {
            case ORAL_EXPLANATION -> t("口语化讲解", "oral explanation");
            case FOUR_LEVEL_EXPLANATION -> t("四层次讲解", "four-level explanation");
            case CLARIFICATION_PATH -> t("澄清路径", "clarification path");
            case COMPARISON_TABLE -> t("对比表", "comparison table");
            case EXAMPLE_TEACHING -> t("例题教学", "worked examples");
            case MEMORY_ANCHOR -> t("记忆锚点", "memory anchor");
            case DEEP_DECOMPOSITION -> t("深度剖析", "deep analysis");
            case BASIC_DECOMPOSITION -> t("基础拆解", "basic decomposition");
            case QUESTION_DECOMPOSITION -> t("问题拆解", "question decomposition");
            case VERIFICATION_QUESTION -> t("检验问题", "verification questions");
            case SCORING_AGENT -> t("理解评分", "understanding assessment");
            case CANVAS_ORCHESTRATOR -> t("学习编排", "study plan");
        };
    }

    // ---- Markdown --------------------------------------------------------------------------------------------------

    private String t(String zh, String en) {
        return lang.pick(zh, en);
    }

    private String q(String text) {
        return lang == Language.ZH ? "「" + text + "」" : "“" + text + "”";
    }

    private String termHint(String lead, String end) {
        return terms.isEmpty() ? end : lead + String.join(lang == Language.ZH ? "、" : ", ", terms) + end;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replaceAll("\\s+", " ");
    }

    private void h1(String text) {
        md.append("# ").append(text.replaceAll("\\s+", " ")).append("\n\n");
    }

    private void h2(String text) {
        md.append("## ").append(text).append("\n\n");
    }

    private void h3(String text) {
        md.append("### ").append(text).append("\n\n");
    }

    private void line(String text) {
        md.append(text).append('\n');
    }

    private void blank() {
        md.append('\n');
    }

    private void bullet(String text) {
        md.append("- ").append(text).append('\n');
    }

    private void checkbox(String text) {
        md.append("- [ ] ").append(text).append('\n');
    }

    private void numbered(List<String> items) {
        for (int i = 0; i < items.size(); i++) {
            md.append(i + 1).append(". ").append(items.get(i)).append('\n');
        }
    }

    private void quote(String text) {
        for (String quoted : text.strip().split("\\R", -1)) {
            md.append(quoted.isBlank() ? ">" : "> " + quoted).append('\n');
        }
    }

    /** An Obsidian callout; a type ending in {@code -} is folded. */
    private void callout(String type, String title, String body) {
        String kind = type.endsWith("-") ? type.substring(0, type.length() - 1) : type;
        md.append("> [!")
                .append(kind)
                .append(']')
                .append(type.endsWith("-") ? "-" : "")
                .append(' ')
                .append(title)
                .append('\n');
        for (String bodyLine : body.split("\n", -1)) {
            md.append(bodyLine.isBlank() ? ">" : "> " + bodyLine).append('\n');
        }
        md.append('\n');
    }
}
