/**
 * Flink SQL: {@link org.flinox.sql.ModelFunction}, every Flinox model as a Process Table Function
 * over a table {@code PARTITION BY} the stream key. It reuses the job's model spec
 * ({@code org.flinox.spec.ModelSpec}, whose module types a user's {@code ADD JAR} extends, and
 * {@code org.flinox.job.spec.SpecModelFactory}) and the modules of
 * {@code org.flinox.nn}; it holds no math of its own. The Flink table API is provided by the
 * cluster (its {@code lib/}), never shaded.
 */
package org.flinox.sql;
