package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Many questions, Chinese and English, drawn from a handful of topics: enough to make grouping sample. */
final class SyntheticCanvas {

    private static final String[][] TOPIC_TERMS = {
        {"矩阵", "特征值", "行列式", "matrix", "eigenvalue", "determinant"},
        {"概率", "期望", "方差", "probability", "expectation", "variance"},
        {"生成树", "最短路径", "连通图", "spanning tree", "shortest path", "graph"},
        {"哈希表", "冲突", "散列函数", "hash table", "collision", "hash function"},
        {"命题", "逆否命题", "谓词逻辑", "proposition", "contrapositive", "predicate"},
        {"极限", "导数", "积分", "limit", "derivative", "integral"}
    };
    private static final String[] CJK_FORMS = {"什么是%s", "如何理解%s", "%s和%s的区别", "举例说明%s", "为什么%s很重要", "复习：%s"};
    private static final String[] LATIN_FORMS = {
        "What is a %s?",
        "How to understand %s?",
        "Difference between %s and %s",
        "Give an example of %s",
        "Why does %s matter?",
        "Review: %s"
    };

    private SyntheticCanvas() {}

    static List<String> questions(int count, long seed) {
        Random random = new Random(seed);
        List<String> questions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String[] topic = TOPIC_TERMS[random.nextInt(TOPIC_TERMS.length)];
            boolean cjk = random.nextBoolean();
            int offset = cjk ? 0 : 3;
            String first = topic[offset + random.nextInt(3)];
            String second = topic[offset + random.nextInt(3)];
            String[] forms = cjk ? CJK_FORMS : LATIN_FORMS;
            questions.add(String.format(forms[random.nextInt(forms.length)], first, second));
        }
        return questions;
    }
}
