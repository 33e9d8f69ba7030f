/**
 * The model spec: the JSON module tree a user writes ({@link org.flinox.job.spec.ModelSpec},
 * {@link org.flinox.job.spec.ModuleSpec}), checked with errors that name the JSON path, sized
 * before anything is allocated ({@link org.flinox.job.spec.ModelFootprint}), and built into
 * {@code org.flinox.nn} modules with optional {@code --weights} ({@link org.flinox.job.spec.SpecModelFactory});
 * and {@code flinox-job describe}. Adding a module type: its record in {@code ModuleSpec} (parse, build
 * and size), its line in {@code ModuleTypes}, its row in the README's spec table (a test checks the row).
 *
 * <p>Imports {@code org.flinox.nn} and {@code org.flinox.operators} (the model factory, operator ids);
 * no Flink, no other job package.
 */
package org.flinox.job.spec;
