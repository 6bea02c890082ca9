package org.canvasbatch.adapters.http.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * A small Prometheus registry: counters, gauges and fixed-bucket histograms, rendered in the text exposition format
 * 0.0.4 by {@link #scrape()}. Recording is lock-free (adders per series), so the threads that run agent calls and sync
 * the journal never wait for a scrape. Gauges are read when scraped, from whatever holds the truth (the core's
 * sessions, the socket channel), so they can never drift from it.
 */
public final class MetricsRegistry {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final List<Family> families = new CopyOnWriteArrayList<>();

    /** A monotonically growing count, one series per combination of label values. */
    public Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(name, help, labelNames));
    }

    /** A counter kept elsewhere (e.g. by the socket channel), read at each scrape. */
    public void counter(String name, String help, DoubleSupplier value) {
        register(new Callback(name, help, "counter", List.of(), sink -> sink.sample(value.getAsDouble())));
    }

    /** A gauge without labels, read at each scrape. */
    public void gauge(String name, String help, DoubleSupplier value) {
        register(new Callback(name, help, "gauge", List.of(), sink -> sink.sample(value.getAsDouble())));
    }

    /** A gauge with labels: at each scrape {@code collector} emits one sample per series. */
    public void gauge(String name, String help, List<String> labelNames, Consumer<Samples> collector) {
        register(new Callback(name, help, "gauge", labelNames, collector));
    }

    /**
     * A distribution over fixed upper bounds ({@code le}), ascending; {@code +Inf} is added.
     */
    public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        return register(new Histogram(name, help, buckets, labelNames));
    }

    /** Every family in the text format, in the order they were registered. */
    public String scrape() {
        StringBuilder text = new StringBuilder(4096);
        for (Family family : families) {
            text.append("# HELP ")
                    .append(family.name)
                    .append(' ')
                    .append(escapeHelp(family.help))
                    .append('\n');
            text.append("# TYPE ")
                    .append(family.name)
                    .append(' ')
                    .append(family.type())
                    .append('\n');
            family.render(text);
        }
        return text.toString();
    }

    private <F extends Family> F register(F family) {
        synchronized (families) {
            for (Family existing : families) {
                if (existing.name.equals(family.name)) {
                    throw new IllegalArgumentException("metric " + family.name + " is already registered");
                }
            }
            families.add(family);
        }
        return family;
    }

    /** Where a labelled gauge puts its samples during a scrape. */
    public interface Samples {
        /** One series; {@code labelValues} in the order of the gauge's label names. */
        void sample(double value, String... labelValues);
    }

    private abstract static sealed class Family permits Counter, Callback, Histogram {
        final String name;
        final String help;
        final List<String> labelNames;

        Family(String name, String help, List<String> labelNames) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a metric name: " + name);
            }
            for (String label : labelNames) {
                if (!LABEL.matcher(label).matches() || label.startsWith("__") || label.equals("le")) {
                    throw new IllegalArgumentException("not a label name: " + label);
                }
            }
            this.name = name;
            this.help = Objects.requireNonNull(help, "help");
            this.labelNames = List.copyOf(labelNames);
        }

        abstract String type();

        abstract void render(StringBuilder text);

        List<String> key(String[] labelValues) {
            if (labelValues.length != labelNames.size()) {
                throw new IllegalArgumentException(name + " takes " + labelNames.size() + " label value(s) "
                        + labelNames + ", got " + Arrays.toString(labelValues));
            }
            List<String> key = new ArrayList<>(labelValues.length);
            for (String value : labelValues) {
                key.add(value == null ? "" : value);
            }
            return List.copyOf(key);
        }

        void line(
                StringBuilder text,
                String series,
                List<String> names,
                List<String> values,
                String extraName,
                String extraValue,
                double value) {
            text.append(series);
            if (!names.isEmpty() || extraName != null) {
                text.append('{');
                boolean first = true;
                for (int i = 0; i < names.size(); i++) {
                    first = label(text, first, names.get(i), values.get(i));
                }
                if (extraName != null) {
                    label(text, first, extraName, extraValue);
                }
                text.append('}');
            }
            text.append(' ').append(number(value)).append('\n');
        }

        private static boolean label(StringBuilder text, boolean first, String name, String value) {
            if (!first) {
                text.append(',');
            }
            text.append(name).append("=\"").append(escapeLabel(value)).append('"');
            return false;
        }
    }

    public static final class Counter extends Family {
        private final Map<List<String>, DoubleAdder> series = new ConcurrentHashMap<>();

        Counter(String name, String help, String[] labelNames) {
            super(name, help, List.of(labelNames));
            if (labelNames.length == 0) {
                series.put(List.of(), new DoubleAdder());
            }
        }

        public void inc(String... labelValues) {
            add(1, labelValues);
        }

        public void add(double amount, String... labelValues) {
            if (amount < 0) {
                throw new IllegalArgumentException("a counter only goes up");
            }
            series.computeIfAbsent(key(labelValues), k -> new DoubleAdder()).add(amount);
        }

        /** The current count of one series (0 if it has not been touched). */
        public double value(String... labelValues) {
            DoubleAdder adder = series.get(key(labelValues));
            return adder == null ? 0 : adder.sum();
        }

        @Override
        String type() {
            return "counter";
        }

        @Override
        void render(StringBuilder text) {
            series.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey(MetricsRegistry::compareKeys))
                    .forEach(e -> line(
                            text,
                            name,
                            labelNames,
                            e.getKey(),
                            null,
                            null,
                            e.getValue().sum()));
        }
    }

    private static final class Callback extends Family {
        private final String type;
        private final Consumer<Samples> collector;

        Callback(String name, String help, String type, List<String> labelNames, Consumer<Samples> collector) {
            super(name, help, labelNames);
            this.type = type;
            this.collector = Objects.requireNonNull(collector, "collector");
        }

        @Override
        String type() {
            return type;
        }

        @Override
        void render(StringBuilder text) {
            StringBuilder lines = new StringBuilder();
            try {
                collector.accept(
                        (value, labelValues) -> line(lines, name, labelNames, key(labelValues), null, null, value));
            } catch (RuntimeException e) {
                // one broken source must not take every other metric down with it; the series is simply absent
                System.getLogger(MetricsRegistry.class.getName())
                        .log(System.Logger.Level.WARNING, "metric " + name + " could not be read", e);
                return;
            }
            text.append(lines);
        }
    }

    public static final class Histogram extends Family {
        private final double[] bounds;
        private final Map<List<String>, Series> series = new ConcurrentHashMap<>();

        Histogram(String name, String help, double[] buckets, String[] labelNames) {
            super(name, help, List.of(labelNames));
            if (buckets.length == 0) {
                throw new IllegalArgumentException(name + " needs at least one bucket");
            }
            for (int i = 1; i < buckets.length; i++) {
                if (!(buckets[i] > buckets[i - 1])) {
                    throw new IllegalArgumentException(name + ": buckets must ascend");
                }
            }
            this.bounds = buckets.clone();
            if (labelNames.length == 0) {
                series.put(List.of(), new Series(bounds.length + 1));
            }
        }

        public void observe(double value, String... labelValues) {
            Series s = series.computeIfAbsent(key(labelValues), k -> new Series(bounds.length + 1));
            int bucket = bounds.length;
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) {
                    bucket = i;
                    break;
                }
            }
            s.counts[bucket].increment();
            s.sum.add(value);
        }

        /** How many observations one series has (0 if none). */
        public long count(String... labelValues) {
            Series s = series.get(key(labelValues));
            if (s == null) {
                return 0;
            }
            long total = 0;
            for (LongAdder c : s.counts) {
                total += c.sum();
            }
            return total;
        }

        @Override
        String type() {
            return "histogram";
        }

        @Override
        void render(StringBuilder text) {
            series.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey(MetricsRegistry::compareKeys))
                    .forEach(e -> {
                        Series s = e.getValue();
                        long cumulative = 0;
                        for (int i = 0; i <= bounds.length; i++) {
                            cumulative += s.counts[i].sum();
                            String le = i < bounds.length ? number(bounds[i]) : "+Inf";
                            line(text, name + "_bucket", labelNames, e.getKey(), "le", le, cumulative);
                        }
                        line(text, name + "_sum", labelNames, e.getKey(), null, null, s.sum.sum());
                        // the count is the +Inf bucket, read once above, so the two always agree within one scrape
                        line(text, name + "_count", labelNames, e.getKey(), null, null, cumulative);
                    });
        }

        private static final class Series {
            final LongAdder[] counts;
            final DoubleAdder sum = new DoubleAdder();

            Series(int buckets) {
                counts = new LongAdder[buckets];
                for (int i = 0; i < buckets; i++) {
                    counts[i] = new LongAdder();
                }
            }
        }
    }

    private static int compareKeys(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
