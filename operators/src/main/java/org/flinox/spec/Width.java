package org.flinox.spec;

/**
 * The width coming into a node of a spec's tree, and where it comes from, for errors.
 *
 * @param value the number of features
 * @param origin what gives it: {@code the feature count}, {@code the output width of module.layers[0]}
 */
public record Width(int value, String origin) {}
