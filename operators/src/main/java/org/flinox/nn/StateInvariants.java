package org.flinox.nn;

/**
 * A module whose state entries obey rules beyond their shape and dtype: a count is a
 * non-negative whole number, a sum of squared deviations is never negative. The forward
 * pass keeps these by construction; state that comes from outside (a {@code bootstrap}
 * file, a hand-edited row) is checked against them before it is used, so a row with
 * {@code count = -5} is refused with its reason instead of producing wrong z-scores.
 */
public interface StateInvariants {

    /**
     * What is wrong with {@code value} as the entry {@code key}, or null when it is valid
     * or is not one of this module's entries. Shape and dtype are checked elsewhere.
     */
    String violation(StateKey key, Tensor value);

    /**
     * The first rule that {@code value} breaks as the entry {@code key} of the stateless
     * {@code tree} (as {@link StateExport#exportState} returns it), or null.
     */
    static String check(Object tree, StateKey key, Tensor value) {
        String[] found = {null};
        TreeWalk.map(tree, new TreeWalk.Visitor() {
            @Override
            public boolean isLeaf(Object node) {
                return node instanceof StateInvariants || node instanceof Tensor || node instanceof StateRef;
            }

            @Override
            public Object visit(String path, Object leaf) {
                if (found[0] == null && leaf instanceof StateInvariants m) {
                    found[0] = m.violation(key, value);
                }
                return leaf;
            }
        });
        return found[0];
    }

    /** Null when every value is {@code >= 0}, else which one is not. */
    static String nonNegative(String what, Tensor value) {
        for (int i = 0; i < value.size(); i++) {
            if (!(value.get(i) >= 0)) {
                return what + " must be >= 0, but value " + i + " is " + value.get(i);
            }
        }
        return null;
    }
}
