/**
 * The run report: what a run leaves beside its outputs ({@link org.flinox.job.report.RunLog},
 * the hidden {@code .flinox-run.jsonl} of its output directory), and {@code report}, which
 * reads that log, the outputs, the dead letters, the final state and the input the run read,
 * and draws them as one self-contained HTML page of inline SVG plots
 * ({@link org.flinox.job.report.ReportCommand}).
 *
 * <p>Depends on {@code org.flinox.job.input} (to read raw values as the job parsed them) and on
 * no other job package; the CLI calls into it.
 */
package org.flinox.job.report;
