package org.flinox.job.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Round axis ticks (1, 2 or 5 times a power of ten apart) and their labels. */
final class Ticks {
    private Ticks() {}

    /** About {@code count} round values inside {@code [lo, hi]}. */
    static List<Double> of(double lo, double hi, int count) {
        List<Double> ticks = new ArrayList<>();
        double span = hi - lo;
        if (!(span > 0) || !Double.isFinite(span)) {
            return ticks;
        }
        double raw = span / count;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude * (raw / magnitude < 1.5 ? 1 : raw / magnitude < 3.5 ? 2 : raw / magnitude < 7.5 ? 5 : 10);
        for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
            ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return ticks;
    }

    /** A tick's label: short, without float noise ({@code 0.30000000000000004} is {@code 0.3}). */
    static String label(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.2g", v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }
}
