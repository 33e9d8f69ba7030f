/**
 * The model spec: the JSON module tree a user writes ({@link org.flinox.spec.ModelSpec}),
 * read with errors that name the JSON path ({@link org.flinox.spec.SpecNode},
 * {@link org.flinox.spec.ModelSpecException}), sized before anything is allocated
 * ({@link org.flinox.spec.Size}) and built into {@code org.flinox.nn} modules
 * ({@link org.flinox.spec.SpecTree}).
 *
 * <p>The module types are open: each is a {@link org.flinox.spec.ModuleType} registered through
 * {@link java.util.ServiceLoader} ({@link org.flinox.spec.ModuleTypes}), Flinox's own
 * ({@link org.flinox.spec.BuiltInTypes}) as a user's. Adding a type of your own: a
 * {@code ModuleType} class in your jar, listed in its
 * {@code META-INF/services/org.flinox.spec.ModuleType}; nothing in Flinox changes
 * ({@code deploy/examples/custom-module} is a complete project).
 *
 * <p>Imports {@code org.flinox.nn}, Jackson (behind {@code SpecNode} only) and commons-text; never
 * Flink nor {@code org.flinox.operators}, so a module type compiles and is tested without a
 * cluster. A test enforces it.
 */
package org.flinox.spec;
