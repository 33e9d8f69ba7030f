/**
 * Reading input, in separate steps: which files an input holds and in what order
 * ({@link org.flinox.job.input.InputFiles}: arrival order, symbolic link loops skipped), the file
 * source over them ({@link org.flinox.job.input.InputSources}; a watched input notices files that
 * change under a name already listed), each file cut into lines
 * ({@link org.flinox.job.input.LineSplitter}), decoded as strict UTF-8
 * ({@link org.flinox.job.input.Utf8LineFormat}) and tagged with where it came from
 * ({@link org.flinox.job.input.TaggedLineFormat}, one {@link org.flinox.job.input.RawLine} per
 * line), then parsed into feature records or dead letters with their reason
 * ({@link org.flinox.job.input.RecordParser}, {@link org.flinox.job.input.ParseFunction}). The
 * checks and the inference of fields at start read the first records of every file through the
 * same reader ({@link org.flinox.job.input.FileLines}, {@link org.flinox.job.input.InputSample}).
 *
 * <p>Imports Flink's file source and {@code org.flinox.operators}' record types; no other job package.
 */
package org.flinox.job.input;
