package org.example.datastream;

/**
 * One line of the input, {@code id,sensor,temperature,humidity}: a record, so Flink serializes
 * it as a POJO (never Kryo).
 *
 * @param id the line's id
 * @param sensor the stream key
 * @param temperature a feature (NaN when the field is not a number: the model dead-letters it)
 * @param humidity a feature, likewise
 */
public record Reading(String id, String sensor, double temperature, double humidity) {

    /** A CSV line as a reading; a field that is missing or not a number reads as NaN. */
    static Reading parse(String line) {
        String[] f = line.split(",", -1);
        return new Reading(f[0], f.length > 1 ? f[1] : "", number(f, 2), number(f, 3));
    }

    private static double number(String[] fields, int i) {
        try {
            return i < fields.length ? Double.parseDouble(fields[i]) : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
