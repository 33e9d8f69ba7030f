package org.flinox.job.report;

/**
 * The running mean and standard deviation {@code standardize} normalizes each record with,
 * computed again from the raw values in the order the key's records ran (its statistics
 * include the current record: update, then normalize):
 *
 * <ul>
 *   <li>{@code cumulative}: Welford's running mean and population variance,
 *       {@code mean ± sqrt(m2 / count)};
 *   <li>{@code ema}: {@code first ← m·first + (1 − m)·x}, {@code second ← m·second + (1 − m)·x²}
 *       from 0 and 1, {@code first ± sqrt(max(second − first², 0))}.
 * </ul>
 *
 * @param mean the mean after each record
 * @param sd the standard deviation after each record
 */
record RunningMoments(double[] mean, double[] sd) {

    static RunningMoments cumulative(double[] x) {
        double[] mean = new double[x.length];
        double[] sd = new double[x.length];
        double m = 0;
        double m2 = 0;
        for (int i = 0; i < x.length; i++) {
            double delta = x[i] - m;
            m += delta / (i + 1);
            m2 += delta * (x[i] - m);
            mean[i] = m;
            sd[i] = Math.sqrt(Math.max(m2 / (i + 1), 0));
        }
        return new RunningMoments(mean, sd);
    }

    static RunningMoments ema(double[] x, double momentum) {
        double[] mean = new double[x.length];
        double[] sd = new double[x.length];
        double first = 0;
        double second = 1;
        for (int i = 0; i < x.length; i++) {
            first = momentum * first + (1 - momentum) * x[i];
            second = momentum * second + (1 - momentum) * x[i] * x[i];
            mean[i] = first;
            sd[i] = Math.sqrt(Math.max(second - first * first, 0));
        }
        return new RunningMoments(mean, sd);
    }
}
