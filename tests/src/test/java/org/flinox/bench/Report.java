package org.flinox.bench;

/** The markdown the benchmark prints at the end (progress goes to stderr meanwhile). */
final class Report {
    private final StringBuilder text = new StringBuilder();

    void line(String s) {
        text.append(s).append('\n');
        System.err.println(s);
    }

    void row(Object... cells) {
        StringBuilder b = new StringBuilder("|");
        for (Object c : cells) {
            b.append(' ').append(c).append(" |");
        }
        line(b.toString());
    }

    static String rate(double perSecond) {
        return String.format("%,.0f", perSecond);
    }

    static String ratio(double r) {
        return String.format("%.2f", r);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
