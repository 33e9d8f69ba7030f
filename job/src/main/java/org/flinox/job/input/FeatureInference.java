package org.flinox.job.input;

import java.util.ArrayList;
import java.util.List;

/**
 * The default features, when {@code --features} is not given: every numeric field but the key,
 * in header (CSV) or field (JSON) order, from the first records ({@link InputSample#RECORDS}) of
 * the first input file, in arrival order, that has any.
 *
 * <p>A field is numeric when its first value in those records that is not missing is a number:
 * a missing value (an empty CSV cell, JSON {@code null}, {@code NA}, {@code N/A}, {@code null},
 * {@code None}) says nothing either way, so a field whose first value is missing is judged by the
 * next one. A number is what the parser reads as one; NaN and infinities count (they are numbers,
 * and records holding them are dead-lettered as not finite).
 */
public final class FeatureInference {

    private FeatureInference() {}

    /**
     * @param samples the first records of each input file, in arrival order
     * @throws IllegalArgumentException when no file has a record, or the first one that has records
     *     has no numeric field but the key; the message names the file and says what to give
     */
    public static List<String> defaultFeatures(List<InputSample> samples, String keyField) {
        InputSample first = samples.stream().filter(s -> s.records() > 0).findFirst().orElse(null);
        if (first == null) {
            throw noRecords(samples);
        }
        List<String> found = new ArrayList<>();
        for (String field : first.fields()) {
            if (!field.equals(keyField) && !found.contains(field) && first.of(field).numberFirst()) {
                found.add(field);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no numeric field but the key in the first " + first.records()
                    + " records of " + first.name() + " (its fields: " + String.join(", ", first.fields())
                    + "); give --features");
        }
        return found;
    }

    private static IllegalArgumentException noRecords(List<InputSample> samples) {
        if (samples.isEmpty()) {
            return new IllegalArgumentException("no file of the input can be read now, so the features cannot be "
                    + "inferred: pass --features A,B,C");
        }
        InputSample first = samples.get(0);
        String what = first.rows() == 0
                ? (first.empty() ? " is empty" : first.format() == InputFormat.CSV
                        ? " has a header but no data rows" : " has no records")
                : " has no record that parses (of its first " + first.rows() + " rows)";
        return new IllegalArgumentException(first.name() + what + (samples.size() > 1 ? ", nor has any other file" : "")
                + ", so the features cannot be inferred; give --features A,B,C, or an input with data");
    }
}
