package org.flinox.job.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line chart as inline SVG: lines, an optional shaded band, axes with round ticks, a title
 * and a note (how many of how many points are drawn). The drawing area is the
 * {@code rect.frame}; its data domain is on the {@code svg} as {@code data-x0}, {@code data-x1},
 * {@code data-y0}, {@code data-y1}, and each line is a {@code polyline} with its name in
 * {@code data-series}, so what is drawn can be read back in data units.
 */
final class Plot {
    static final int WIDTH = 560;
    static final int HEIGHT = 230;
    private static final int LEFT = 62;
    private static final int RIGHT = 14;
    private static final int TOP = 30;
    private static final int BOTTOM = 44;

    private sealed interface Layer permits Line, Band {}

    private record Line(String name, String cssClass, double[] x, double[] y) implements Layer {}

    private record Band(String name, double[] x, double[] lo, double[] hi) implements Layer {}

    /** The markers dotted lines use, once per page before the plots. */
    static final String DEFS = "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
            + "<marker id=\"dot-raw\" viewBox=\"0 0 4 4\" refX=\"2\" refY=\"2\" markerWidth=\"4\" markerHeight=\"4\" "
            + "markerUnits=\"userSpaceOnUse\"><circle cx=\"2\" cy=\"2\" r=\"1.5\" fill=\"#2563eb\"/></marker>"
            + "<marker id=\"dot-output\" viewBox=\"0 0 4 4\" refX=\"2\" refY=\"2\" markerWidth=\"4\" markerHeight=\"4\" "
            + "markerUnits=\"userSpaceOnUse\"><circle cx=\"2\" cy=\"2\" r=\"1.5\" fill=\"#c2410c\"/></marker>"
            + "</defs></svg>";

    private final String title;
    private final String xLabel;
    private final List<Layer> layers = new ArrayList<>(); // drawn in this order
    private String note = "";

    Plot(String title, String xLabel) {
        this.title = title;
        this.xLabel = xLabel;
    }

    /** A line through the points {@code shown} of {@code x, y}. */
    Plot line(String name, String cssClass, double[] x, double[] y, int[] shown) {
        layers.add(new Line(name, cssClass, pick(x, shown), pick(y, shown)));
        return this;
    }

    /** A shaded band between {@code lo} and {@code hi} at the points {@code shown}. */
    Plot band(String name, double[] x, double[] lo, double[] hi, int[] shown) {
        layers.add(new Band(name, pick(x, shown), pick(lo, shown), pick(hi, shown)));
        return this;
    }

    Plot note(String text) {
        this.note = text;
        return this;
    }

    private static double[] pick(double[] v, int[] shown) {
        double[] out = new double[shown.length];
        for (int i = 0; i < shown.length; i++) {
            out[i] = v[shown[i]];
        }
        return out;
    }

    String svg() {
        List<double[]> xv = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        for (Layer layer : layers) {
            if (layer instanceof Line l) {
                xv.add(l.x());
                ys.add(l.y());
            } else if (layer instanceof Band band) {
                xv.add(band.x());
                ys.add(band.lo());
                ys.add(band.hi());
            }
        }
        double[] xs = range(xv, List.of());
        double[] yr = range(ys, List.of());
        double pad = (yr[1] - yr[0]) * 0.05;
        double x0 = xs[0];
        double x1 = xs[1];
        double y0 = yr[0] - pad;
        double y1 = yr[1] + pad;
        int w = WIDTH - LEFT - RIGHT;
        int h = HEIGHT - TOP - BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg class=\"plot\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" data-x0=\"%s\" data-x1=\"%s\" data-y0=\"%s\" data-y1=\"%s\" role=\"img\" aria-label=\"%s\">",
                WIDTH, HEIGHT, WIDTH, HEIGHT, num(x0), num(x1), num(y0), num(y1), Html.escape(title)));
        b.append("<title>").append(Html.escape(title)).append("</title>");
        b.append(String.format(Locale.ROOT, "<text class=\"title\" x=\"%d\" y=\"18\">%s</text>", LEFT, Html.escape(title)));
        b.append(String.format(Locale.ROOT, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", LEFT, TOP, w, h));
        for (double t : Ticks.of(y0, y1, 5)) {
            double py = TOP + h - (t - y0) / (y1 - y0) * h;
            b.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.2f\" y2=\"%.2f\"/>", LEFT, LEFT + w, py, py));
            b.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%.2f\" text-anchor=\"end\">%s</text>",
                    LEFT - 6, py + 4, Ticks.label(t)));
        }
        for (double t : Ticks.of(x0, x1, 6)) {
            double px = LEFT + (t - x0) / (x1 - x0) * w;
            b.append(String.format(Locale.ROOT, "<line class=\"tickmark\" x1=\"%.2f\" x2=\"%.2f\" y1=\"%d\" y2=\"%d\"/>", px, px, TOP + h, TOP + h + 4));
            b.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                    px, TOP + h + 16, Ticks.label(t)));
        }
        b.append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%d\" y=\"%d\">%s</text>", LEFT, HEIGHT - 6, Html.escape(xLabel)));
        b.append(String.format(Locale.ROOT, "<text class=\"note\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
                LEFT + w, HEIGHT - 6, Html.escape(note)));
        for (Layer layer : layers) {
            StringBuilder pts = new StringBuilder();
            if (layer instanceof Band band) {
                for (int i = 0; i < band.x().length; i++) {
                    point(pts, band.x()[i], band.hi()[i], x0, x1, y0, y1, w, h);
                }
                for (int i = band.x().length - 1; i >= 0; i--) {
                    point(pts, band.x()[i], band.lo()[i], x0, x1, y0, y1, w, h);
                }
                b.append("<polygon class=\"band\" data-series=\"").append(Html.escape(band.name())).append("\" points=\"")
                        .append(pts.toString().strip()).append("\"><title>").append(Html.escape(band.name()))
                        .append("</title></polygon>");
            } else if (layer instanceof Line line) {
                for (int i = 0; i < line.x().length; i++) {
                    point(pts, line.x()[i], line.y()[i], x0, x1, y0, y1, w, h);
                }
                b.append("<polyline class=\"").append(line.cssClass()).append("\" data-series=\"").append(Html.escape(line.name()))
                        .append("\" points=\"").append(pts.toString().strip()).append("\"><title>").append(Html.escape(line.name()))
                        .append("</title></polyline>");
            }
        }
        b.append("</svg>");
        return b.toString();
    }

    private static void point(StringBuilder pts, double x, double y, double x0, double x1, double y0, double y1, int w, int h) {
        pts.append(String.format(Locale.ROOT, "%.2f,%.2f ", LEFT + (x - x0) / (x1 - x0) * w, TOP + h - (y - y0) / (y1 - y0) * h));
    }

    /** {min, max} of every value, widened when they are equal (or there are none). */
    private static double[] range(List<double[]> a, List<double[]> b) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (List<double[]> list : List.of(a, b)) {
            for (double[] values : list) {
                for (double v : values) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            double d = Math.max(Math.abs(lo) * 0.1, 1);
            return new double[] {lo - d, hi + d};
        }
        return new double[] {lo, hi};
    }

    /** Full precision, as JSON would write it, for the data attributes. */
    static String num(double v) {
        return Double.toString(v);
    }
}
