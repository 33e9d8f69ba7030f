/**
 * The job's side of the model spec ({@code org.flinox.spec}): the factory that ships a spec's
 * text and {@code --weights} and builds the tree in every parallel instance
 * ({@link org.flinox.job.spec.SpecModelFactory}), the flags that name a model and the jars of
 * the user's module types ({@link org.flinox.job.spec.ModelOptions},
 * {@link org.flinox.job.spec.ModuleJars}), and {@code flinox-job describe}.
 *
 * <p>Imports {@code org.flinox.spec}, {@code org.flinox.nn} and {@code org.flinox.operators}
 * (the model factory, operator ids); no Flink, no other job package.
 */
package org.flinox.job.spec;
