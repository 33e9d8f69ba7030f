package org.flinox.operators;

/** Why a record could not be used. */
public enum DeadLetterReason {
    /** a line with nothing on it */
    EMPTY,
    /** not valid CSV or JSON (a broken quote, a truncated object) */
    UNPARSEABLE,
    /** a CSV row with more or fewer columns than its header */
    WRONG_COLUMN_COUNT,
    /** the key field or a feature field is absent */
    MISSING_FIELD,
    /** a feature field that is not a number */
    NON_NUMERIC,
    /** a feature that is NaN or infinite */
    NOT_FINITE,
    /** a record whose feature count differs from the model's input width */
    WRONG_FEATURE_COUNT,
    /**
     * the forward pass refused the record, or its output or a state entry it changed would not be
     * finite; the key's state was left as it was
     */
    FORWARD_FAILED,
    /** bytes that are not valid UTF-8 in the line (or in its CSV header) */
    INVALID_UTF8,
    /** a field name given twice: in a JSON object, or in the CSV header of the record's file */
    DUPLICATE_FIELD,
    /** a line longer than the job reads (16 MiB), or under a CSV header that is */
    LINE_TOO_LONG,
    /**
     * the rest of a file could not be read (a truncated or corrupt compressed file): one dead
     * letter for the whole damaged part; the rows before it were processed
     */
    DAMAGED_FILE,
    /**
     * a file that changed under a name already listed: replaced, appended to or removed before or
     * while it was read (the rest of it is one dead letter), or changed after it was read (one dead
     * letter for each change seen; what changed is not read)
     */
    FILE_CHANGED,
    /**
     * the {@link FeatureFunction} of a DataStream job threw on the element or returned null (the
     * exception's message in the detail); the command-line job never has it
     */
    NO_FEATURES,
    /**
     * a model update (new weights) that was refused: unreadable, too large, a version already
     * applied, or parameters that do not fit the running model; the running version stays
     */
    MODEL_UPDATE_REFUSED
}
