package org.canvasbatch.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.adapters.vault.VaultPassageIndex;
import org.canvasbatch.application.port.out.VaultPassages.PassageQuery;

/**
 * How long the vault's passage index takes to build at start and how much it adds to each note, on a generated vault of
 * realistic notes: half Chinese, half English, each with headings, paragraphs, lists and now and then a table, code,
 * a callout or front matter; sizes spread like a learner's (most notes 0.5–3 KB, a few of tens of KB); 5 % of the
 * notes written by canvas-batch (never quoted); one canvas per folder.
 *
 * <p>The build runs first in a fresh JVM, as at start (the classes and the lexicon load, the JIT is cold), and is
 * reported in wall time with the process's CPU time beside it; lookups are timed one by one through the port's
 * {@code about}, with the index's own freshness (a look at the vault's files every 2 s) included.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" org.canvasbatch.benchmarks.VaultPassagesBenchmark 5000
 * </pre>
 */
public final class VaultPassagesBenchmark {

    private static final int QUESTIONS = 2_000;

    private VaultPassagesBenchmark() {}

    public static void main(String[] args) throws Exception {
        int notes = args.length == 0 ? 5_000 : Integer.parseInt(args[0]);
        Path root = Files.createTempDirectory("vault-passages-");
        try {
            GeneratedVault vault = GeneratedVault.write(root, notes, new SplittableRandom(42));
            System.out.printf(
                    Locale.ROOT,
                    "vault: %d notes (%d written by canvas-batch), %d canvases, %.1f MB of text; note sizes median %.1f KB,"
                            + " mean %.1f KB, largest %.1f KB%n",
                    vault.notes(),
                    vault.generated(),
                    vault.canvases(),
                    vault.bytes() / 1e6,
                    vault.medianNoteBytes() / 1e3,
                    vault.bytes() / 1e3 / (vault.notes() + vault.canvases()),
                    vault.largestNoteBytes() / 1e3);
            System.out.printf(
                    Locale.ROOT,
                    "machine: %d cores, load average %.2f%n",
                    Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

            long heapBefore = usedHeap();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            long threadsStart = javaThreadsCpu();
            long start = System.nanoTime();
            VaultPassageIndex index = new VaultPassageIndex(root, VaultOptions.defaults());
            VaultPassageIndex.Size size = index.update();
            long buildNanos = System.nanoTime() - start;
            long buildCpu = os.getProcessCpuTime() - cpuStart;
            long buildThreadsCpu = javaThreadsCpu() - threadsStart;
            long heapAfter = usedHeap();
            System.out.printf(
                    Locale.ROOT,
                    "build (cold JVM, as at start): %.2f s wall; CPU %.2f s in the indexing threads, %.2f s in the"
                            + " process (JIT and GC included); %s; heap %.0f MB%n",
                    buildNanos / 1e9,
                    buildThreadsCpu / 1e9,
                    buildCpu / 1e9,
                    size,
                    (heapAfter - heapBefore) / 1e6);

            long[] unchanged = new long[5];
            for (int i = 0; i < unchanged.length; i++) {
                long t = System.nanoTime();
                index.update();
                unchanged[i] = System.nanoTime() - t;
            }
            Arrays.sort(unchanged);
            Path edited = vault.someNote();
            Files.writeString(edited, Files.readString(edited) + "\n补充：线粒体 mitochondria 的内膜向内折叠。\n");
            long t = System.nanoTime();
            index.update();
            long oneChanged = System.nanoTime() - t;
            System.out.printf(
                    Locale.ROOT,
                    "a look at the vault: nothing changed %.1f ms (median of %d), one note changed %.1f ms%n",
                    unchanged[unchanged.length / 2] / 1e6,
                    unchanged.length,
                    oneChanged / 1e6);

            List<String> questions = vault.questions(QUESTIONS, new SplittableRandom(7));
            long[] lookups = new long[questions.size()];
            int found = 0;
            int asked = 0;
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < questions.size(); i++) {
                    long q = System.nanoTime();
                    int passages = index.about(new PassageQuery(questions.get(i), "", "", "", List.of(), 4))
                            .size();
                    lookups[i] = System.nanoTime() - q;
                    if (round == 1) {
                        found += passages;
                        asked++;
                    }
                }
            }
            long[] sorted = lookups.clone();
            Arrays.sort(sorted);
            double mean = Arrays.stream(lookups).average().orElse(0);
            System.out.printf(
                    Locale.ROOT,
                    "lookups (%d questions, second round, looks at the vault every 2 s included): mean %.2f ms, median"
                            + " %.2f ms, p99 %.2f ms, max %.1f ms; %.1f passages per question%n",
                    asked,
                    mean / 1e6,
                    sorted[sorted.length / 2] / 1e6,
                    sorted[(int) (sorted.length * 0.99)] / 1e6,
                    sorted[sorted.length - 1] / 1e6,
                    found / (double) asked);
        } finally {
            deleteRecursively(root);
        }
    }

    /** The CPU time of every live Java thread: the work itself, without the JIT's and the collector's threads. */
    private static long javaThreadsCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : threads.getAllThreadIds()) {
            total += Math.max(0, threads.getThreadCpuTime(id));
        }
        return total;
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path folder, IOException e) throws IOException {
                Files.delete(folder);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A vault of generated notes, written to disk, and what it holds. */
    record GeneratedVault(
            Path root,
            int notes,
            int generated,
            int canvases,
            long bytes,
            long medianNoteBytes,
            long largestNoteBytes,
            List<String> chineseTerms,
            List<String> englishTerms) {

        private static final String[] ZH_FILLER = {
            "这一点课上老师强调过", "需要和前面的内容对照着看", "考试经常考", "我之前一直理解错了", "可以画图帮助理解", "本质上是同一件事的两个角度",
            "注意它成立的条件", "课本第三章有详细推导", "做题时容易忽略", "和日常经验不太一样", "先记结论再看证明", "这里的关键是因果关系"
        };
        private static final String[] ZH_LINKS = {"是", "决定了", "影响", "依赖于", "不同于", "包括", "导致", "和", "属于", "解释了"};
        private static final String[] EN_FILLER = {
            "which the lecture stressed twice",
            "and this is easy to get wrong in the exam",
            "as the textbook shows in" + " chapter three",
            "so draw a diagram first",
            "although everyday intuition suggests otherwise",
            "under the conditions stated above",
            "which I still find confusing",
            "and the proof is worth reading once",
            "in most of the worked examples",
            "because of how the two are defined"
        };
        private static final String[] EN_LINKS = {
            "depends on",
            "explains",
            "differs from",
            "is part of",
            "leads to",
            "is measured by",
            "is a kind of",
            "works with",
            "limits",
            "changes"
        };

        static GeneratedVault write(Path root, int notes, SplittableRandom random) throws IOException {
            List<List<String>> zhFields = new ArrayList<>();
            List<List<String>> enFields = new ArrayList<>();
            lexicon(zhFields, enFields);
            zhFields.removeIf(List::isEmpty);
            enFields.removeIf(List::isEmpty);
            List<String> zh = zhFields.stream().flatMap(List::stream).toList();
            List<String> en = enFields.stream().flatMap(List::stream).toList();
            int folders = Math.max(1, notes / 100);
            long bytes = 0;
            int generated = 0;
            List<Long> sizes = new ArrayList<>();
            for (int i = 0; i < notes; i++) {
                boolean chinese = i % 2 == 0;
                String folder = (chinese ? "科目" : "Subject ") + (i % folders);
                boolean byCanvasBatch = i % 20 == 19;
                Path file = byCanvasBatch
                        ? root.resolve(folder + "/review-notes/q" + i + " (oral-explanation).md")
                        : root.resolve(folder + "/" + (chinese ? "笔记 " : "Note ") + i + ".md");
                int folderIndex = i % folders;
                List<String> field = chinese
                        ? zhFields.get(folderIndex % zhFields.size())
                        : enFields.get(folderIndex % enFields.size());
                String text = note(new Words(field, chinese ? zh : en), chinese, byCanvasBatch, random);
                Files.createDirectories(file.getParent());
                Files.writeString(file, text, StandardCharsets.UTF_8);
                long size = text.getBytes(StandardCharsets.UTF_8).length;
                bytes += size;
                sizes.add(size);
                generated += byCanvasBatch ? 1 : 0;
            }
            for (int f = 0; f < folders; f++) {
                for (boolean chinese : new boolean[] {true, false}) {
                    String folder = (chinese ? "科目" : "Subject ") + f;
                    List<String> field =
                            chinese ? zhFields.get(f % zhFields.size()) : enFields.get(f % enFields.size());
                    String canvas = canvas(new Words(field, chinese ? zh : en), chinese, random);
                    Files.createDirectories(root.resolve(folder));
                    Files.writeString(root.resolve(folder + "/review.canvas"), canvas, StandardCharsets.UTF_8);
                    bytes += canvas.getBytes(StandardCharsets.UTF_8).length;
                }
            }
            sizes.sort(null);
            return new GeneratedVault(
                    root,
                    notes,
                    generated,
                    folders * 2,
                    bytes,
                    sizes.get(sizes.size() / 2),
                    sizes.getLast(),
                    List.copyOf(zh),
                    List.copyOf(en));
        }

        Path someNote() {
            return root.resolve("科目0/笔记 0.md");
        }

        /** Questions as a canvas asks them, about the terms the notes use. */
        List<String> questions(int count, SplittableRandom random) {
            List<String> questions = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (i % 2 == 0) {
                    String a = pick(chineseTerms, random);
                    String b = pick(chineseTerms, random);
                    questions.add(
                            switch (i % 6) {
                                case 0 -> "什么是" + a;
                                case 2 -> a + "和" + b + "的区别是什么";
                                default -> "如何理解" + a + "对" + b + "的影响";
                            });
                } else {
                    String a = pick(englishTerms, random);
                    String b = pick(englishTerms, random);
                    questions.add(
                            switch (i % 6) {
                                case 1 -> "What is " + a + "?";
                                case 3 -> "Difference between " + a + " and " + b;
                                default -> "Why does " + a + " depend on " + b + "?";
                            });
                }
            }
            return questions;
        }

        /**
         * The subject lexicon's terms, field by field: the words learners' notes in these subjects are made of. A folder
         * keeps to one field, as a learner's folder keeps to one subject, so its words recur across its notes.
         */
        private static void lexicon(List<List<String>> zh, List<List<String>> en) throws IOException {
            String resource = "/org/canvasbatch/domain/grouping/subject-lexicon.txt";
            try (InputStream in = VaultPassagesBenchmark.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the class path");
                }
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    String trimmed = line.strip();
                    if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                        continue;
                    }
                    if (trimmed.startsWith("[")) {
                        zh.add(new ArrayList<>());
                        en.add(new ArrayList<>());
                        continue;
                    }
                    for (String term : trimmed.split(",")) {
                        String t = term.strip();
                        if (t.isEmpty()) {
                            continue;
                        }
                        (t.codePoints().anyMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN)
                                        ? zh.getLast()
                                        : en.getLast())
                                .add(t);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A size drawn like a learner's notes: log-normal around 1.5 KB, from 0.2 KB to 80 KB. */
        private static int targetBytes(SplittableRandom random) {
            double normal =
                    Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            return (int) Math.max(200, Math.min(80_000, Math.exp(Math.log(1500) + 0.9 * normal)));
        }

        private static String note(Words terms, boolean chinese, boolean byCanvasBatch, SplittableRandom random) {
            StringBuilder text = new StringBuilder();
            if (byCanvasBatch) {
                text.append("---\nsource_canvas: \"review.canvas\"\nsource_node: \"n1\"\nagent: \"oral-explanation\"\n"
                        + "generated_at: \"2026-12-01T10:00:00Z\"\nmodel: \"offline\"\n---\n\n");
            } else if (random.nextInt(10) < 3) {
                text.append("---\ntags: [").append(pick(terms, random)).append("]\n---\n");
            }
            text.append("# ").append(pick(terms, random)).append("\n\n");
            int target = targetBytes(random) / (chinese ? 3 : 1);
            while (text.length() < target) {
                text.append("## ").append(pick(terms, random)).append("\n\n");
                int blocks = 1 + random.nextInt(4);
                for (int b = 0; b < blocks && text.length() < target; b++) {
                    switch (random.nextInt(10)) {
                        case 0, 1 -> {
                            for (int item = 0, items = 2 + random.nextInt(5); item < items; item++) {
                                text.append("- ")
                                        .append(sentence(terms, chinese, random))
                                        .append('\n');
                            }
                        }
                        case 2 ->
                            text.append("| ")
                                    .append(pick(terms, random))
                                    .append(" | ")
                                    .append(pick(terms, random))
                                    .append(" |\n| --- | --- |\n| ")
                                    .append(sentence(terms, chinese, random))
                                    .append(" | ")
                                    .append(sentence(terms, chinese, random))
                                    .append(" |\n");
                        case 3 ->
                            text.append("```\nx = f(y)  # ")
                                    .append(pick(terms, random))
                                    .append("\n```\n");
                        case 4 ->
                            text.append("> [!tip] ")
                                    .append(pick(terms, random))
                                    .append("\n> ")
                                    .append(sentence(terms, chinese, random))
                                    .append('\n');
                        default -> {
                            for (int s = 0, sentences = 2 + random.nextInt(5); s < sentences; s++) {
                                text.append(sentence(terms, chinese, random)).append(chinese ? "" : " ");
                            }
                            text.append('\n');
                        }
                    }
                    text.append('\n');
                }
            }
            return text.toString();
        }

        private static String sentence(Words terms, boolean chinese, SplittableRandom random) {
            if (chinese) {
                return pick(terms, random) + pick(ZH_LINKS, random) + pick(terms, random) + "，"
                        + pick(ZH_FILLER, random) + "。";
            }
            String sentence = pick(terms, random) + " " + pick(EN_LINKS, random) + " " + pick(terms, random) + ", "
                    + pick(EN_FILLER, random) + ".";
            return Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
        }

        private static String canvas(Words terms, boolean chinese, SplittableRandom random) {
            StringBuilder nodes = new StringBuilder();
            int count = 20 + random.nextInt(60);
            for (int n = 0; n < count; n++) {
                String color = n % 3 == 0 ? "1" : n % 3 == 1 ? "3" : "";
                String text = n % 3 == 0
                        ? (chinese ? "什么是" + pick(terms, random) : "What is " + pick(terms, random) + "?")
                        : sentence(terms, chinese, random);
                if (n > 0) {
                    nodes.append(',');
                }
                nodes.append("{\"id\":\"n")
                        .append(n)
                        .append("\",\"type\":\"text\",\"text\":\"")
                        .append(text.replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"')
                        .append(color.isEmpty() ? "" : ",\"color\":\"" + color + "\"")
                        .append(",\"x\":")
                        .append((n % 10) * 300)
                        .append(",\"y\":")
                        .append((n / 10) * 150)
                        .append(",\"width\":260,\"height\":100}");
            }
            return "{\"nodes\":[" + nodes + "],\"edges\":[]}";
        }

        /** A folder's subject words, and now and then a word of any subject. */
        private record Words(List<String> field, List<String> all) {}

        private static String pick(Words words, SplittableRandom random) {
            return pick(random.nextInt(5) == 0 ? words.all() : words.field(), random);
        }

        private static String pick(List<String> items, SplittableRandom random) {
            return items.get(random.nextInt(items.size()));
        }

        private static String pick(String[] items, SplittableRandom random) {
            return items[random.nextInt(items.length)];
        }
    }
}
