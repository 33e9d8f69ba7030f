/**
 * Reading input: file formats (CSV with a header, JSON lines; strict UTF-8), the file sources and
 * their split order ({@link org.flinox.job.input.InputSources}), one {@link org.flinox.job.input.RawLine}
 * per line, parsed into feature records or dead letters with their reason
 * ({@link org.flinox.job.input.RecordParser}, {@link org.flinox.job.input.ParseFunction}), and the
 * start-time checks and inference of fields from the first file.
 *
 * <p>Imports Flink's file source and {@code org.flinox.operators}' record types; no other job package.
 */
package org.flinox.job.input;
