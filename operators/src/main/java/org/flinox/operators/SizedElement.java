package org.flinox.operators;

/**
 * A stream element that says how much memory it takes, so a key bundle's memory bound
 * ({@link KeyBundles#maxBytes}) counts it. Elements that do not implement it are counted by
 * their features alone, which is right for small elements; one carrying a large payload (the
 * job's {@link FeatureRecord} keeps its raw line) should implement it.
 */
public interface SizedElement {

    /** The element's estimated size in memory, in bytes, besides its features. */
    long estimatedBytes();
}
